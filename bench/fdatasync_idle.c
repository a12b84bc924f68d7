// How long one fdatasync of a small append takes, alone and with another
// thread keeping a CPU busy (spinning) or syncing a second file at the same
// time. On a virtual machine whose idle vCPUs halt, a sync that completes
// while every vCPU is idle may wait for the next timer tick (4 ms at 250 Hz)
// before its thread runs again: the latency a lone, paced write sees.
//   cc -O2 -pthread -o /tmp/fdatasync_idle bench/fdatasync_idle.c && /tmp/fdatasync_idle DIR [ROUNDS=300]
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int rounds = 300;
static char buf[4096];
static volatile int stop;
static int fds[2];
static pthread_barrier_t start, end;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}
static int cmp(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}
static void report(const char* name, double* l) {
  qsort(l, rounds, sizeof(double), cmp);
  printf("%-52s p50 %.3f ms, p90 %.3f ms, p99 %.3f ms\n", name, l[rounds / 2] * 1e3, l[rounds * 9 / 10] * 1e3,
         l[rounds * 99 / 100] * 1e3);
}
static void* spin(void* unused) {
  (void)unused;
  while (!stop) {
  }
  return NULL;
}
static void* second(void* unused) {  // syncs file 1 beside file 0, round by round
  (void)unused;
  for (int k = 0; k < rounds; k++) {
    pthread_barrier_wait(&start);
    if (write(fds[1], buf, 700) < 0 || fdatasync(fds[1]) != 0) perror("second file");
    pthread_barrier_wait(&end);
  }
  return NULL;
}
static double one(int fd) {
  double t = now();
  if (write(fd, buf, 1000) < 0 || fdatasync(fd) != 0) perror("sync");
  return now() - t;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s DIR [ROUNDS]\n", argv[0]);
    return 2;
  }
  if (argc > 2) rounds = atoi(argv[2]);
  char path[4096];
  for (int i = 0; i < 2; i++) {
    snprintf(path, sizeof(path), "%s/fdatasync_idle.%d", argv[1], i);
    fds[i] = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
    if (fds[i] < 0) return perror(path), 1;
  }
  double* l = malloc(sizeof(double) * rounds);
  for (int k = 0; k < rounds; k++) l[k] = one(fds[0]);
  report("one file, alone:", l);
  pthread_t t;
  stop = 0;
  pthread_create(&t, NULL, spin, NULL);
  for (int k = 0; k < rounds; k++) l[k] = one(fds[0]);
  report("one file, another thread spinning:", l);
  stop = 1;
  pthread_join(t, NULL);
  pthread_barrier_init(&start, NULL, 2);
  pthread_barrier_init(&end, NULL, 2);
  pthread_create(&t, NULL, second, NULL);
  for (int k = 0; k < rounds; k++) {
    double s = now();
    pthread_barrier_wait(&start);
    if (write(fds[0], buf, 1000) < 0 || fdatasync(fds[0]) != 0) perror("sync");
    pthread_barrier_wait(&end);
    l[k] = now() - s;
  }
  report("two files synced at once (a round ends with both):", l);
  pthread_join(t, NULL);
  stop = 0;
  pthread_create(&t, NULL, spin, NULL);
  for (int k = 0; k < rounds; k++) {
    double s = now();
    if (write(fds[0], buf, 1000) < 0 || fdatasync(fds[0]) != 0) perror("sync");
    if (write(fds[1], buf, 700) < 0 || fdatasync(fds[1]) != 0) perror("sync");
    l[k] = now() - s;
  }
  report("two files one after the other, a thread spinning:", l);
  stop = 1;
  pthread_join(t, NULL);
  for (int i = 0; i < 2; i++) {
    snprintf(path, sizeof(path), "%s/fdatasync_idle.%d", argv[1], i);
    unlink(path);
  }
  return 0;
}
