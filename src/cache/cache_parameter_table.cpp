// The cache parameters of the families Kura runs, as ElastiCache lists them
// for default.redis7 and default.memcached1.6: name, default, data type,
// allowed values, modifiable, change type, description, and how each
// reaches the engine (cache_parameters.h). ElastiCache's own parameters that
// would do nothing on a Kura node (close-on-replica-write, maxclients,
// memcached's max_cache_memory, max_simultaneous_connections) are left out, and so are the ones Kura owns
// for durability (appendonly, appendfsync): a value shown here is the one
// the engine runs with (reserved-memory-percent reaches Redis as the
// maxmemory it leaves of the node type's memory: node_type_memory.h).
// Sorted by name.
#include "cache/cache_parameters.h"

namespace kura::cache {
namespace {

constexpr bool kImmediate = true;
constexpr bool kReboot = false;
constexpr bool kFixed = false;

const std::vector<CacheParameter> kRedis7 = {
    {"acllog-max-len", "128", "integer", "1-10000", true, kImmediate,
     "The maximum number of entries in the ACL log.", "acllog-max-len"},
    {"active-defrag-cycle-max", "75", "integer", "1-75", true, kImmediate,
     "Maximal effort for defrag in CPU percentage.", "active-defrag-cycle-max"},
    {"active-defrag-cycle-min", "5", "integer", "1-75", true, kImmediate,
     "Minimal effort for defrag in CPU percentage.", "active-defrag-cycle-min"},
    {"active-defrag-ignore-bytes", "104857600", "integer", "1048576-", true, kImmediate,
     "Minimum amount of fragmentation waste to start active defrag.", "active-defrag-ignore-bytes"},
    {"active-defrag-max-scan-fields", "1000", "integer", "1-1000000", true, kImmediate,
     "Maximum number of set/hash/zset/list fields that will be processed from the main dictionary scan.",
     "active-defrag-max-scan-fields"},
    {"active-defrag-threshold-lower", "10", "integer", "1-100", true, kImmediate,
     "Minimum percentage of fragmentation to start active defrag.", "active-defrag-threshold-lower"},
    {"active-defrag-threshold-upper", "100", "integer", "1-100", true, kImmediate,
     "Maximum percentage of fragmentation at which we use maximum effort.", "active-defrag-threshold-upper"},
    {"activedefrag", "no", "string", "yes,no", true, kImmediate, "Enabled active memory defragmentation.",
     "activedefrag"},
    {"activerehashing", "yes", "string", "yes,no", true, kReboot,
     "Apply rehashing or not. Changes take effect after a reboot.", "activerehashing"},
    {"cluster-allow-reads-when-down", "no", "string", "yes,no", true, kImmediate,
     "If enabled, allows reads when the cluster is down.", "cluster-allow-reads-when-down"},
    {"cluster-enabled", "no", "string", "yes,no", true, kReboot,
     "Enable cluster mode (Kura runs replication groups with cluster mode disabled only).", ""},
    {"cluster-require-full-coverage", "no", "string", "yes,no", true, kImmediate,
     "Whether cluster becomes unavailable if one or more slots are not covered.", "cluster-require-full-coverage"},
    {"databases", "16", "integer", "1-1200000", true, kReboot,
     "Set the number of databases. Changes take effect after a reboot.", "databases"},
    {"hash-max-listpack-entries", "128", "integer", "0-", true, kImmediate,
     "The maximum number of hash entries in order for the dataset to be compressed.", "hash-max-listpack-entries"},
    {"hash-max-listpack-value", "64", "integer", "0-", true, kImmediate,
     "The threshold of biggest hash entries in order for the dataset to be compressed.", "hash-max-listpack-value"},
    {"hll-sparse-max-bytes", "3000", "integer", "0-16000", true, kImmediate,
     "HyperLogLog sparse representation bytes limit.", "hll-sparse-max-bytes"},
    {"latency-tracking", "yes", "string", "yes,no", true, kImmediate,
     "Enables the tracking of per-command latency metrics.", "latency-tracking"},
    {"lazyfree-lazy-eviction", "no", "string", "yes,no", true, kImmediate, "Perform an asynchronous delete on evictions.",
     "lazyfree-lazy-eviction"},
    {"lazyfree-lazy-expire", "no", "string", "yes,no", true, kImmediate, "Perform an asynchronous delete on expired keys.",
     "lazyfree-lazy-expire"},
    {"lazyfree-lazy-server-del", "no", "string", "yes,no", true, kImmediate,
     "Perform an asynchronous delete for commands which update values.", "lazyfree-lazy-server-del"},
    {"lazyfree-lazy-user-del", "no", "string", "yes,no", true, kImmediate,
     "Make DEL behave as UNLINK.", "lazyfree-lazy-user-del"},
    {"lazyfree-lazy-user-flush", "no", "string", "yes,no", true, kImmediate,
     "Make FLUSHDB and FLUSHALL asynchronous unless SYNC is given.", "lazyfree-lazy-user-flush"},
    {"lfu-decay-time", "1", "integer", "0-", true, kImmediate,
     "The amount of time in minutes to decrement the key counter for LFU eviction policy.", "lfu-decay-time"},
    {"lfu-log-factor", "10", "integer", "1-", true, kImmediate,
     "The log factor for incrementing key counter for LFU eviction policy.", "lfu-log-factor"},
    {"list-compress-depth", "0", "integer", "0-", true, kImmediate,
     "Number of entries on each side of the list to exclude from compression.", "list-compress-depth"},
    {"list-max-listpack-size", "-2", "integer", "-5,-4,-3,-2,-1,1-", true, kImmediate,
     "The number of entries (positive) or the size class (negative) of each list node.", "list-max-listpack-size"},
    {"lua-time-limit", "5000", "integer", "5000", kFixed, kImmediate,
     "Max execution time of a Lua script in milliseconds. 0 or negative for unlimited execution without warnings.",
     "lua-time-limit"},
    {"maxmemory-policy", "volatile-lru", "string",
     "volatile-lru,allkeys-lru,volatile-lfu,allkeys-lfu,volatile-random,allkeys-random,volatile-ttl,noeviction", true,
     kImmediate, "Max memory policy.", "maxmemory-policy"},
    {"maxmemory-samples", "3", "integer", "1-", true, kImmediate, "Max memory samples.", "maxmemory-samples"},
    {"min-replicas-max-lag", "10", "integer", "0-", true, kImmediate,
     "The maximum amount of replica lag in seconds beyond which the primary stops accepting writes.",
     "min-replicas-max-lag"},
    {"min-replicas-to-write", "0", "integer", "0-", true, kImmediate,
     "Number of replicas that must be connected for the primary to accept writes.", "min-replicas-to-write"},
    {"notify-keyspace-events", "", "string", "", true, kImmediate,
     "The keyspace events for Redis to notify Pub/Sub clients about. By default all notifications are disabled.",
     "notify-keyspace-events", "KEg$lshzxetmdnA"},
    {"repl-backlog-size", "1048576", "integer", "16384-", true, kImmediate,
     "The replication backlog size in bytes for PSYNC.", "repl-backlog-size"},
    {"repl-backlog-ttl", "3600", "integer", "0-", true, kImmediate,
     "The amount of time in seconds after the primary has no connected replica before the backlog is freed.",
     "repl-backlog-ttl"},
    {"repl-timeout", "60", "integer", "5-", true, kImmediate, "The timeout in seconds for bulk transfer I/O.",
     "repl-timeout"},
    {"reserved-memory-percent", "25", "integer", "0-100", true, kImmediate,
     "The percent of a nodes memory to be reserved for nondata use.", "maxmemory"},
    {"set-max-intset-entries", "512", "integer", "0-500000000", true, kImmediate,
     "The limit in the size of the set in order for the dataset to be compressed.", "set-max-intset-entries"},
    {"slowlog-log-slower-than", "10000", "integer", "-1-", true, kImmediate,
     "The execution time, in microseconds, to exceed in order for the command to get logged.",
     "slowlog-log-slower-than"},
    {"slowlog-max-len", "128", "integer", "0-", true, kImmediate, "The length of the slow log.", "slowlog-max-len"},
    {"stream-node-max-bytes", "4096", "integer", "0-", true, kImmediate,
     "The stream data structure is a radix tree of nodes that encode multiple items inside. Use this configuration "
     "to specify the maximum size of a single node in radix tree in Bytes.",
     "stream-node-max-bytes"},
    {"stream-node-max-entries", "100", "integer", "0-", true, kImmediate,
     "The maximum number of items a single node in a stream can contain.", "stream-node-max-entries"},
    {"tcp-keepalive", "300", "integer", "0-", true, kImmediate,
     "If non-zero, send ACKs every given number of seconds.", "tcp-keepalive"},
    {"timeout", "0", "integer", "0,20-", true, kImmediate,
     "Close connection if client is idle for a given number of seconds, or never if 0.", "timeout"},
    {"zset-max-listpack-entries", "128", "integer", "0-", true, kImmediate,
     "The maximum number of sorted set entries in order for the dataset to be compressed.",
     "zset-max-listpack-entries"},
    {"zset-max-listpack-value", "64", "integer", "0-", true, kImmediate,
     "The threshold of biggest sorted set entries in order for the dataset to be compressed.",
     "zset-max-listpack-value"},
};

// memcached takes its settings on its command line only: every change
// needs a restart of the node, as in ElastiCache.
const std::vector<CacheParameter> kMemcached16 = {
    {"backlog_queue_limit", "1024", "integer", "1-10000", true, kReboot, "The backlog queue limit.", "-b"},
    {"binding_protocol", "auto", "string", "auto,binary,ascii", true, kReboot, "Binding protocol.", "-B"},
    {"cas_disabled", "0", "boolean", "0,1", true, kReboot, "If 1 (true), check and set (CAS) operations are disabled.",
     "-C"},
    {"chunk_size", "48", "integer", "1-", true, kReboot,
     "The minimum amount, in bytes, of space to allocate for the smallest item's key, value, and flags.", "-n"},
    {"chunk_size_growth_factor", "1.25", "float", "1.01-2", true, kReboot,
     "The growth factor that controls the size of each successive Memcached chunk.", "-f"},
    {"disable_flush_all", "0", "boolean", "0,1", true, kReboot, "If 1 (true), flush_all is disabled.", "-F"},
    {"error_on_memory_exhausted", "0", "boolean", "0,1", true, kReboot,
     "If 1 (true), when there is no more memory to store items, Memcached will return an error rather than evicting "
     "items.",
     "-M"},
    {"hash_algorithm", "jenkins", "string", "jenkins,murmur3", true, kReboot, "The hash algorithm.",
     "-o hash_algorithm="},
    {"idle_timeout", "0", "integer", "0-", true, kReboot,
     "The number of seconds a client may be idle before it is disconnected (0: never).", "-o idle_timeout="},
    // A node has 64 MiB (Kura's memcached -m): memcached refuses items
    // larger than half its memory, and sizes that are not a whole number of
    // its 512 KiB slab chunks.
    {"max_item_size", "1048576", "integer", "1048576-33554432", true, kReboot,
     "The size, in bytes, of the largest item that can be stored in the cluster.", "-I", "", 524288},
    {"requests_per_event", "20", "integer", "1-1000", true, kReboot,
     "The maximum number of requests per event for a given connection.", "-R"},
    {"slab_automove", "1", "integer", "0,1,2", true, kReboot,
     "Adjusts the slab automove algorithm: 0 off, 1 conservative, 2 aggressive.", "-o slab_automove="},
};

}  // namespace

std::vector<std::string> cacheParameterFamilies() { return {"memcached1.6", "redis7"}; }

const std::vector<CacheParameter>* cacheParametersOf(std::string_view family) {
  if (family == "redis7") return &kRedis7;
  if (family == "memcached1.6") return &kMemcached16;
  return nullptr;
}

}  // namespace kura::cache
