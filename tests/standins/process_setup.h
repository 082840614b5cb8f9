#pragma once

// What both stand-in binaries do around their work: signals, logging and the API client.

#include <csignal>
#include <memory>
#include <string>

#include "lib/common/error.h"
#include "lib/kube/client.h"

namespace certkeeper::standins {

// Blocks SIGTERM and SIGINT in the calling thread (call before any thread starts, so that every
// thread inherits the mask) and returns the set for wait_for_signal().
sigset_t block_stop_signals();

// main() of a stand-in: runs `run`, and turns an exception escaping it into exit code 1 with
// "NAME: what" on stderr (nothing here is meant to throw; this is the last line of defence).
int guarded_main(const char* name, int (*run)(int, char**), int argc, char** argv);

// Waits for SIGTERM or SIGINT; returns its name.
std::string wait_for_signal(const sigset_t& signals);

// Logging at `level` on stderr, then a REST client from `kubeconfig` (rate limit off: the
// stand-ins are as chatty as a kubelet and an ingress controller, which are not limited either).
common::Result<std::unique_ptr<kube::Client>> setup(const std::string& kubeconfig,
                                                    const std::string& level);

}  // namespace certkeeper::standins
