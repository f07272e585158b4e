#include "connectors/postgres/login_route.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <optional>
#include <string>

namespace rekey::postgres {
namespace {

// Sets (or, with nullopt, unsets) a variable for a scope, restoring it after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = getenv(name)) {
      old_ = old;
    }
    Set(value);
  }
  ~ScopedEnv() { Set(old_); }

 private:
  void Set(const std::optional<std::string>& value) {
    if (value) {
      setenv(name_, value->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }
  const char* name_;
  std::optional<std::string> old_;
};

// Clears the PG* variables these tests read, so that the machine's do not decide them.
class LoginRouteTest : public ::testing::Test {
 protected:
  ScopedEnv host_{"PGHOST", std::nullopt};
  ScopedEnv hostaddr_{"PGHOSTADDR", std::nullopt};
  ScopedEnv port_{"PGPORT", std::nullopt};
  ScopedEnv sslmode_{"PGSSLMODE", std::nullopt};
  ScopedEnv database_{"PGDATABASE", std::nullopt};
  ScopedEnv service_{"PGSERVICE", std::nullopt};
  ScopedEnv gssencmode_{"PGGSSENCMODE", std::nullopt};
  ScopedEnv app_{"PGAPPNAME", std::nullopt};
};

TEST_F(LoginRouteTest, ASingleTcpHostWithoutRequiredTlsIsTheOwnLogins) {
  auto target = ScramTargetOf("host=127.0.0.1 port=6432 dbname=app user=rekey_admin");
  ASSERT_TRUE(target.has_value());
  EXPECT_EQ(target->server, "\"127.0.0.1\"");
  EXPECT_EQ(target->address, "127.0.0.1");
  EXPECT_EQ(target->port, "6432");
  EXPECT_EQ(target->dbname, "app");
  EXPECT_EQ(target->application_name, "rekey");
  EXPECT_EQ(target->options, "");
  EXPECT_TRUE(target->ssl_request);  // sslmode's default, prefer: ask the server first
  EXPECT_FALSE(ScramTargetOf("host=db sslmode=disable")->ssl_request);
  EXPECT_TRUE(ScramTargetOf("host=db sslmode=allow")->ssl_request);
  EXPECT_EQ(ScramTargetOf("host=db")->port, "5432");
  EXPECT_EQ(ScramTargetOf("host=db")->dbname, "");  // the server takes the role's name
  // Settings that change nothing in such a login.
  EXPECT_TRUE(ScramTargetOf("host=db connect_timeout=5 keepalives=1 sslrootcert=/ca.pem "
                            "gssencmode=disable channel_binding=disable")
                  .has_value());
}

TEST_F(LoginRouteTest, StartupSettingsAndAddressesAreTakenAsLibpqTakesThem) {
  auto target = ScramTargetOf(
      "host=db.example hostaddr=10.1.2.3 application_name=billing options='-c search_path=x' "
      "client_encoding=LATIN1");
  ASSERT_TRUE(target.has_value());
  EXPECT_EQ(target->server, "\"db.example\" (10.1.2.3)");
  EXPECT_EQ(target->address, "10.1.2.3");
  EXPECT_EQ(target->application_name, "billing");
  EXPECT_EQ(target->options, "-c search_path=x");
  EXPECT_EQ(target->client_encoding, "LATIN1");
  auto uri = ScramTargetOf("postgresql://rekey@db.example:7000/orders?sslmode=disable");
  ASSERT_TRUE(uri.has_value());
  EXPECT_EQ(uri->address, "db.example");
  EXPECT_EQ(uri->port, "7000");
  EXPECT_EQ(uri->dbname, "orders");
  EXPECT_FALSE(uri->ssl_request);
}

TEST_F(LoginRouteTest, LibpqLogsInWhereTheOwnLoginWouldNotBeTheSame) {
  for (const char* dsn : {"host=db sslmode=require",
                          "host=db sslmode=verify-ca",
                          "host=db sslmode=verify-full",
                          "host=/var/run/postgresql",
                          "host=@abstract",
                          "dbname=app",  // no host: a Unix socket
                          "host=db1,db2",
                          "host=db port=5432,5433",
                          "hostaddr=10.0.0.1,10.0.0.2",
                          "host=db gssencmode=require",
                          "host=db channel_binding=require",
                          "host=db target_session_attrs=read-write",
                          "host=db service=orders",
                          "host=db replication=database",
                          "host=db client_encoding=auto",
                          "host=db port=0",
                          "host=db port=x",
                          "host=db port=65536",
                          "host=",
                          "host=db sslmode=",
                          "not a dsn"}) {
    EXPECT_FALSE(ScramTargetOf(dsn).has_value()) << dsn;
  }
}

TEST_F(LoginRouteTest, TheEnvironmentSuppliesWhatTheDsnLeavesOut) {
  ScopedEnv host("PGHOST", "10.9.8.7");
  ScopedEnv port("PGPORT", "6543");
  auto target = ScramTargetOf("dbname=app");
  ASSERT_TRUE(target.has_value());
  EXPECT_EQ(target->address, "10.9.8.7");
  EXPECT_EQ(target->port, "6543");
  ScopedEnv sslmode("PGSSLMODE", "require");
  EXPECT_FALSE(ScramTargetOf("dbname=app").has_value());
  EXPECT_TRUE(ScramTargetOf("dbname=app sslmode=disable").has_value());  // the dsn wins
  ScopedEnv service("PGSERVICE", "orders");
  EXPECT_FALSE(ScramTargetOf("dbname=app sslmode=disable").has_value());
}

}  // namespace
}  // namespace rekey::postgres
