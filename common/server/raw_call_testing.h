// For tests of what a server does with any bytes a client may send: calls a method by
// its full name with a request given as serialized bytes, through grpc::GenericStub,
// so that a test can send what no generated stub would (a string that is not UTF-8,
// an over-size message, no message at all).
//
// Header-only, for test targets; every function blocks until the call ends or its
// context's deadline passes. Thread-compatible: one call per ClientContext.
#ifndef PCMD_COMMON_SERVER_RAW_CALL_TESTING_H_
#define PCMD_COMMON_SERVER_RAW_CALL_TESTING_H_

#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/completion_queue.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/slice.h"

namespace pcmd::testing {

// Calls the unary `method` ("/pcmd.testing.v1.EchoService/Echo") with `request` as
// its serialized message. On OK, `response` (when given) gets the serialized answer.
inline grpc::Status RawUnaryCall(const std::shared_ptr<grpc::Channel>& channel,
                                 grpc::ClientContext& context, const std::string& method,
                                 const std::string& request, std::string* response = nullptr) {
  grpc::GenericStub stub(channel);
  grpc::Slice slice(request);
  const grpc::ByteBuffer request_buffer(&slice, 1);
  grpc::ByteBuffer response_buffer;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, method, grpc::StubOptions(), &request_buffer, &response_buffer,
                 [&done](grpc::Status status) { done.set_value(std::move(status)); });
  grpc::Status status = done.get_future().get();
  if (status.ok() && response != nullptr) {
    std::vector<grpc::Slice> slices;
    response->clear();
    if (response_buffer.Dump(&slices).ok()) {
      for (const grpc::Slice& s : slices) {
        response->append(reinterpret_cast<const char*>(s.begin()), s.size());
      }
    }
  }
  return status;
}

// Calls `method` as a stream, whatever its kind: sends `requests` (serialized), closes
// its side, reads every answer into `responses` (when given) and returns the status.
// With no requests it is what a broken client of a unary method does; with one it
// calls a server-streaming method.
inline grpc::Status StreamCall(const std::shared_ptr<grpc::Channel>& channel,
                               grpc::ClientContext& context, const std::string& method,
                               const std::vector<std::string>& requests,
                               std::vector<std::string>* responses = nullptr) {
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue queue;
  auto call = stub.PrepareCall(&context, method, &queue);
  // One operation at a time, each awaited; false when the call broke off.
  auto await = [&queue](void* expected) {
    void* tag = nullptr;
    bool ok = false;
    while (queue.Next(&tag, &ok)) {
      if (tag == expected) return ok;
    }
    return false;
  };
  int tag = 0;
  auto next_tag = [&tag] { return reinterpret_cast<void*>(static_cast<intptr_t>(++tag)); };
  void* t = next_tag();
  call->StartCall(t);
  bool open = await(t);
  for (const std::string& request : requests) {
    if (!open) break;
    grpc::Slice slice(request);
    const grpc::ByteBuffer buffer(&slice, 1);
    t = next_tag();
    call->Write(buffer, t);
    open = await(t);
  }
  if (open) {
    t = next_tag();
    call->WritesDone(t);
    open = await(t);
  }
  while (open) {
    grpc::ByteBuffer answer;
    t = next_tag();
    call->Read(&answer, t);
    if (!await(t)) break;
    std::vector<grpc::Slice> slices;
    if (responses != nullptr && answer.Dump(&slices).ok()) {
      std::string bytes;
      for (const grpc::Slice& s : slices) {
        bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
      }
      responses->push_back(std::move(bytes));
    }
  }
  grpc::Status status;
  t = next_tag();
  call->Finish(&status, t);
  await(t);
  queue.Shutdown();
  void* ignored_tag = nullptr;
  bool ignored_ok = false;
  while (queue.Next(&ignored_tag, &ignored_ok)) {
  }
  return status;
}

}  // namespace pcmd::testing

#endif  // PCMD_COMMON_SERVER_RAW_CALL_TESTING_H_
