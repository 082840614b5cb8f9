#pragma once

#include <string>
#include <vector>

#include "lib/common/subprocess.h"

namespace certkeeper::testing {

// Runs the testenv's kubectl with the admin kubeconfig: kubectl({"get", "ns"}). `stdin_data`
// feeds `-f -`. Returns the process result; the caller asserts on exit code and output.
common::Result<common::ProcessResult> kubectl(const std::vector<std::string>& args,
                                              const std::string& stdin_data = "");

// Applies the CRDs in crds/ (server-side, force) and waits until they are Established, as every
// suite that runs controllers does first. An error carries kubectl's stderr.
common::Status apply_crds();

// A name unique to this process and call, for objects a test creates (DNS-1123 safe).
std::string unique_name(const std::string& prefix);

}  // namespace certkeeper::testing
