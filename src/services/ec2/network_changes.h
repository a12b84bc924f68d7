#pragma once
// A process-wide generation of EC2's network records. Every committed EC2
// write (VPCs, subnets, security groups and their rules, network
// interfaces) bumps it, so that whoever caches a view of them (the
// security policy at the engines' endpoints) knows the view is stale
// without reading the catalog on every connection.
#include <cstdint>

namespace kura::ec2 {

// Called after a write to EC2's records is committed.
void noteNetworkChange();
// Starts at 0; only grows while the process runs.
uint64_t networkGeneration();

}  // namespace kura::ec2
