// ForwardingStore: a Store that passes every call to another, for tests that change one call
// (make a write fail, count calls) and leave the rest to a real store.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "store/store.h"

namespace rekey::run_testing {

class ForwardingStore : public Store {
 public:
  explicit ForwardingStore(Store* inner) : inner_(inner) {}

  Result<CredentialVersions> GetCredential(const std::string& identity) override {
    return inner_->GetCredential(identity);
  }
  Status Adopt(const std::string& identity, const StoredValue& value) override {
    return inner_->Adopt(identity, value);
  }
  Status StagePending(const std::string& identity, const StoredValue& value) override {
    return inner_->StagePending(identity, value);
  }
  Status Promote(const std::string& identity, const std::string& run_id) override {
    return inner_->Promote(identity, run_id);
  }
  Status DiscardPending(const std::string& identity, const std::string& run_id) override {
    return inner_->DiscardPending(identity, run_id);
  }
  Status CreateRun(const RunRecord& run, const std::vector<int>& step_ids) override {
    return inner_->CreateRun(run, step_ids);
  }
  Result<RunRecord> GetRun(const std::string& run_id) override { return inner_->GetRun(run_id); }
  Result<std::vector<RunRecord>> ListRuns() override { return inner_->ListRuns(); }
  Status UpdateRun(const RunRecord& run, const std::vector<StepRecord>& steps) override {
    return inner_->UpdateRun(run, steps);
  }
  Result<std::vector<StepRecord>> GetSteps(const std::string& run_id) override {
    return inner_->GetSteps(run_id);
  }
  Status UpdateSteps(const std::string& run_id, const std::vector<StepRecord>& steps) override {
    return inner_->UpdateSteps(run_id, steps);
  }
  Result<std::unique_ptr<RunLease>> AcquireRunLease(const std::string& run_id) override {
    return inner_->AcquireRunLease(run_id);
  }

 private:
  Store* const inner_;
};

}  // namespace rekey::run_testing
