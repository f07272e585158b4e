// Statement (statement.h).
#include "store/sqlite/statement.h"

#include <string>

#include "store/sqlite/sqlite_status.h"

namespace rekey::sqlite {

StatementCache::~StatementCache() {
  for (auto& [sql, stmts] : idle_) {
    for (sqlite3_stmt* stmt : stmts) {
      sqlite3_finalize(stmt);
    }
  }
}

sqlite3_stmt* StatementCache::Take(std::string_view sql) {
  auto it = idle_.find(std::string(sql));
  if (it == idle_.end() || it->second.empty()) {
    return nullptr;
  }
  sqlite3_stmt* stmt = it->second.back();
  it->second.pop_back();
  return stmt;
}

void StatementCache::Put(sqlite3_stmt* stmt) {
  // A statement in use while the same SQL is prepared again (a nested query) makes a second
  // one; a few per text is all nesting needs.
  constexpr size_t kMaxIdlePerText = 4;
  std::vector<sqlite3_stmt*>& idle = idle_[sqlite3_sql(stmt)];
  if (idle.size() >= kMaxIdlePerText) {
    sqlite3_finalize(stmt);
    return;
  }
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  idle.push_back(stmt);
}

void Statement::Release::operator()(sqlite3_stmt* stmt) const {
  if (cache != nullptr) {
    cache->Put(stmt);
  } else {
    sqlite3_finalize(stmt);
  }
}

Statement& Statement::BindText(int index, std::string_view text) {
  return Check(sqlite3_bind_text64(stmt_.get(), index, text.data(), text.size(), SQLITE_TRANSIENT,
                                   SQLITE_UTF8),
               index);
}

Statement& Statement::BindBlob(int index, std::string_view bytes) {
  // A zero-length blob from a null pointer would bind NULL; "" keeps it a blob.
  const char* data = bytes.empty() ? "" : bytes.data();
  return Check(sqlite3_bind_blob64(stmt_.get(), index, data, bytes.size(), SQLITE_TRANSIENT),
               index);
}

Statement& Statement::BindInt(int index, int64_t value) {
  return Check(sqlite3_bind_int64(stmt_.get(), index, value), index);
}

Statement& Statement::BindOptionalInt(int index, std::optional<int64_t> value) {
  if (!value.has_value()) {
    return Check(sqlite3_bind_null(stmt_.get(), index), index);
  }
  return BindInt(index, *value);
}

Statement& Statement::Check(int rc, int index) {
  if (rc != SQLITE_OK && bind_status_.ok()) {
    bind_status_ =
        SqliteStatus(sqlite3_db_handle(stmt_.get()), rc, "bind parameter " + std::to_string(index));
  }
  return *this;
}

Result<bool> Statement::Step() {
  if (!bind_status_.ok()) {
    return bind_status_;
  }
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    return false;
  }
  Status status = SqliteStatus(sqlite3_db_handle(stmt_.get()), rc, sqlite3_sql(stmt_.get()));
  sqlite3_reset(stmt_.get());
  return status;
}

Status Statement::Run() {
  for (;;) {
    Result<bool> row = Step();
    if (!row.ok()) {
      return row.status();
    }
    if (!*row) {
      return Status::Ok();
    }
  }
}

std::string Statement::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_.get(), column);
  int size = sqlite3_column_bytes(stmt_.get(), column);
  return text == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(text), size);
}

std::string Statement::Blob(int column) const {
  const void* blob = sqlite3_column_blob(stmt_.get(), column);
  int size = sqlite3_column_bytes(stmt_.get(), column);
  return blob == nullptr ? std::string() : std::string(static_cast<const char*>(blob), size);
}

std::optional<int64_t> Statement::OptionalInt(int column) const {
  if (sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL) {
    return std::nullopt;
  }
  return Int(column);
}

}  // namespace rekey::sqlite
