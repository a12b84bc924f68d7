/* AWSAuthenticationPlugin: IAM database authentication for Kura's MariaDB
 * servers, as RDS names its plugin. An account made with
 *   CREATE USER alice IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS';
 * logs in with a token of `aws rds generate-db-auth-token` as its password,
 * which the client sends in clear (mysql_clear_password): only over TLS,
 * which Kura's endpoint proxy tells apart. The plugin asks nothing of the
 * token itself: it hands the login to Kura's responder on 127.0.0.1 (an
 * LDAPv3 simple bind, src/dbauth/ldap_bind.h) and lets the login in only
 * on its yes. Settings (kura.cnf, read-only): the responder's port and the
 * instance's key. Built against Debian's libmariadbd-dev. */
#include <mysql/plugin_auth.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_TOKEN 8192
#define MAX_NAME 1024
#define TIMEOUT_MS 10000

static unsigned int responder_port = 0;
static char *instance_key = NULL;

static MYSQL_SYSVAR_UINT(port, responder_port, PLUGIN_VAR_READONLY | PLUGIN_VAR_RQCMDARG,
                         "The port of Kura's IAM authentication responder on 127.0.0.1", NULL, NULL, 0, 0, 65535, 0);
static MYSQL_SYSVAR_STR(instance, instance_key, PLUGIN_VAR_READONLY | PLUGIN_VAR_RQCMDARG,
                        "The key naming this instance to Kura", NULL, NULL, "");

static struct st_mysql_sys_var *variables[] = {MYSQL_SYSVAR(port), MYSQL_SYSVAR(instance), NULL};

/* BER: a length's bytes. */
static size_t put_length(unsigned char *out, size_t length) {
  if (length < 0x80) {
    out[0] = (unsigned char)length;
    return 1;
  }
  out[0] = 0x82;
  out[1] = (unsigned char)(length >> 8);
  out[2] = (unsigned char)(length & 0xff);
  return 3;
}

static size_t put_element(unsigned char *out, unsigned char tag, const unsigned char *contents, size_t length) {
  size_t at = 0;
  out[at++] = tag;
  at += put_length(out + at, length);
  memcpy(out + at, contents, length);
  return at + length;
}

static long remaining_ms(const struct timespec *deadline) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

/* 1 when Kura's responder says yes to the bind of `name` with `password`. */
static int ask_kura(const char *name, size_t name_length, const unsigned char *password, size_t password_length) {
  unsigned char bind[MAX_NAME + MAX_TOKEN + 32], message[MAX_NAME + MAX_TOKEN + 64], body[MAX_NAME + MAX_TOKEN + 48];
  static const unsigned char version[] = {0x02, 0x01, 0x03};
  static const unsigned char message_id[] = {0x02, 0x01, 0x01};
  size_t bind_length = 0, body_length = 0, message_length;
  struct sockaddr_in address;
  struct timespec deadline;
  unsigned char answer[64];
  size_t answered = 0;
  int fd, ok = 0;

  memcpy(bind, version, sizeof(version));
  bind_length = sizeof(version);
  bind_length += put_element(bind + bind_length, 0x04, (const unsigned char *)name, name_length);
  bind_length += put_element(bind + bind_length, 0x80, password, password_length);
  memcpy(body, message_id, sizeof(message_id));
  body_length = sizeof(message_id);
  body_length += put_element(body + body_length, 0x60, bind, bind_length);
  message_length = put_element(message, 0x30, body, body_length);

  fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return 0;
  memset(&address, 0, sizeof(address));
  address.sin_family = AF_INET;
  address.sin_port = htons((unsigned short)responder_port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  clock_gettime(CLOCK_MONOTONIC, &deadline);
  deadline.tv_sec += TIMEOUT_MS / 1000;
  if (connect(fd, (struct sockaddr *)&address, sizeof(address)) != 0 && errno != EINPROGRESS) goto done;
  {
    size_t sent = 0;
    while (sent < message_length) {
      struct pollfd waiting = {fd, POLLOUT, 0};
      ssize_t n;
      long left = remaining_ms(&deadline);
      if (left <= 0 || poll(&waiting, 1, (int)left) <= 0) goto done;
      n = send(fd, message + sent, message_length - sent, MSG_NOSIGNAL);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) goto done;
      sent += (size_t)n;
    }
  }
  /* BindResponse: 30 len 02 01 01 61 len 0a 01 <code> ... */
  while (answered < sizeof(answer)) {
    struct pollfd waiting = {fd, POLLIN, 0};
    ssize_t n;
    long left = remaining_ms(&deadline);
    if (left <= 0 || poll(&waiting, 1, (int)left) <= 0) break;
    n = recv(fd, answer + answered, sizeof(answer) - answered, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) break;
    answered += (size_t)n;
    if (answered >= 2 && answer[1] < 0x80 && answered >= (size_t)answer[1] + 2) break;
  }
  if (answered >= 10 && answer[0] == 0x30 && answer[1] < 0x80 && answer[2] == 0x02 && answer[3] == 0x01 &&
      answer[4] == 0x01 && answer[5] == 0x61 && answer[7] == 0x0a && answer[8] == 0x01 && answer[9] == 0x00) {
    ok = 1;
  }
done:
  memset(message, 0, sizeof(message));
  memset(body, 0, sizeof(body));
  memset(bind, 0, sizeof(bind));
  close(fd);
  return ok;
}

static int authenticate(MYSQL_PLUGIN_VIO *vio, MYSQL_SERVER_AUTH_INFO *info) {
  MYSQL_PLUGIN_VIO_INFO connection;
  struct sockaddr_in peer;
  socklen_t peer_length = sizeof(peer);
  unsigned char *packet = NULL;
  char name[MAX_NAME];
  int length, name_length;

  info->password_used = PASSWORD_USED_YES;
  if (responder_port == 0 || instance_key == NULL || instance_key[0] == '\0') return CR_ERROR;
  /* TCP from Kura's endpoint proxy only (never the socket): its port is
   * how Kura tells whether the client's connection is TLS. */
  vio->info(vio, &connection);
  if (connection.protocol != MYSQL_VIO_TCP ||
      getpeername(connection.socket, (struct sockaddr *)&peer, &peer_length) != 0 || peer.sin_family != AF_INET) {
    return CR_ERROR;
  }
  /* The first read has the server take the client's handshake (the user's
   * name with it) and switch it to mysql_clear_password. */
  length = vio->read_packet(vio, &packet);
  if (length <= 0 || length > MAX_TOKEN || info->user_name == NULL) return CR_ERROR;
  /* mysql_clear_password sends the password with its terminating zero. */
  if (packet[length - 1] == '\0') --length;
  if (length <= 0) return CR_ERROR;
  name_length = snprintf(name, sizeof(name), "uid=%.*s,ou=%s;via=%u", (int)info->user_name_length,
                         info->user_name, instance_key, (unsigned)ntohs(peer.sin_port));
  if (name_length <= 0 || (size_t)name_length >= sizeof(name)) return CR_ERROR;
  return ask_kura(name, (size_t)name_length, packet, (size_t)length) ? CR_OK : CR_ERROR;
}

static struct st_mysql_auth handler = {MYSQL_AUTHENTICATION_INTERFACE_VERSION, "mysql_clear_password", authenticate,
                                       NULL, NULL};

maria_declare_plugin(aws_authentication){
    MYSQL_AUTHENTICATION_PLUGIN,
    &handler,
    "AWSAuthenticationPlugin",
    "Kura",
    "IAM database authentication: tokens of generate-db-auth-token, checked by Kura",
    PLUGIN_LICENSE_GPL,
    NULL,
    NULL,
    0x0100,
    NULL,
    variables,
    "1.0",
    MariaDB_PLUGIN_MATURITY_STABLE} maria_declare_plugin_end;
