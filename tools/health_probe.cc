// pcmd-health: asks a server the standard gRPC health question and exits 0 when the
// answer is SERVING. Used by deploy/run.sh (and container probes) to wait for a
// service to be ready.
//
//   pcmd-health --target=127.0.0.1:50052 --service=pcmd.intake.v1.IntakeService \
//       [--tls-ca=ca.crt --tls-cert=operator.crt --tls-key=operator.key]
//
// Exit codes: 0 SERVING; 1 any other answer or no answer within the timeout; 2 bad
// arguments.
#include <cstdio>

#include "common/config/config.h"
#include "common/security/client_channel.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

int main(int argc, char** argv) {
  pcmd::Config config("pcmd-health");
  config.DefineString("target", "127.0.0.1:50051", "host:port of the server");
  config.DefineString("service", "", "service name to ask about; empty asks about the server");
  config.DefineInt("timeout-ms", 2000, "how long to wait for an answer");
  pcmd::security::DefineClientTlsOptions(config);
  if (absl::Status s = config.Parse(argc, argv); !s.ok()) {
    std::fprintf(stderr, "pcmd-health: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  if (config.help_requested()) {
    std::fputs(config.Usage().c_str(), stdout);
    return 0;
  }
  auto channel = pcmd::security::ClientChannel(config.GetString("target"),
                                               pcmd::security::ClientTlsFrom(config));
  if (!channel.ok()) {
    std::fprintf(stderr, "pcmd-health: %s\n", std::string(channel.status().message()).c_str());
    return 2;
  }
  auto stub = grpc::health::v1::Health::NewStub(*channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(config.GetInt("timeout-ms")));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(config.GetString("service"));
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status = stub->Check(&context, request, &response);
  if (!status.ok()) {
    std::fprintf(stderr, "%s: %s\n", config.GetString("target").c_str(),
                 status.error_message().c_str());
    return 1;
  }
  const auto name = grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status());
  std::printf("%s %s: %s\n", config.GetString("target").c_str(),
              config.GetString("service").c_str(), name.c_str());
  return response.status() == grpc::health::v1::HealthCheckResponse::SERVING ? 0 : 1;
}
