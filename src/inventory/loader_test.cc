#include "inventory/loader.h"

#include <gtest/gtest.h>

namespace rekey {
namespace {

constexpr char kGood[] = R"(version: 1
systems:
  directory: { type: ldap, url: "ldap://127.0.0.1:3890", bind_dn: "cn=admin,dc=example,dc=org",
               admin_secret: { env: LDAP_ADMIN_PASSWORD } }
  orders-db: { type: postgres, dsn: "host=127.0.0.1 port=5433 dbname=orders user=rekey",
               admin_secret: { file: /etc/rekey/pg-admin }, max_parallel: 2,
               retry: { attempts: 3, initial: 100ms, max: 2s }, timeout: 5s }
  app-config: { type: file }
  vault: { type: vault-kv2, address: "https://vault.internal:8200", mount: secret,
           admin_secret: { env: VAULT_TOKEN } }
identities:
  billing-svc:
    kind: password
    labels: { tenant: acme, tier: critical }
    generate: { length: 40, alphabet: alnum, require: [lower, upper, digit] }
    rotate_every: 30d
    issuers:
      - { system: directory, dn: "uid=billing-svc,ou=services,dc=example,dc=org" }
      - { system: orders-db, role: billing }
    holders:
      - { name: vault-record, system: vault, path: billing/db, field: password }
      - { name: env-file, system: app-config, path: /etc/billing/app.env, format: dotenv, key: DB_PASSWORD }
    consumers:
      - name: billing-api
        reload: { exec: [systemctl, reload, billing-api] }
        confirm: { http: "http://127.0.0.1:8080/health/credential" }
        after: [vault-record]
)";

// Parses TEXT and returns the formatted diagnostics ("" when valid).
std::string Errors(const std::string& text) {
  Diagnostics d("inv.yaml");
  auto r = ParseInventory(text, "inv.yaml", &d);
  EXPECT_EQ(r.ok(), d.empty());
  return d.Format();
}

TEST(LoaderTest, ReadsTheDesignExample) {
  Diagnostics d("inv.yaml");
  auto r = ParseInventory(kGood, "inv.yaml", &d);
  ASSERT_TRUE(r.ok()) << d.Format();
  const Inventory& inv = *r;
  ASSERT_EQ(inv.systems.size(), 4u);
  const System* db = inv.FindSystem("orders-db");
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->type, "postgres");
  EXPECT_EQ(db->max_parallel, 2);
  EXPECT_EQ(db->retry.attempts, 3);
  EXPECT_EQ(db->retry.initial, Millis(100));
  EXPECT_EQ(db->timeout, Millis(5000));
  ASSERT_NE(db->options.GetSecretRef("admin_secret"), nullptr);
  EXPECT_EQ(db->options.GetSecretRef("admin_secret")->Describe(), "file:/etc/rekey/pg-admin");
  const Identity* id = inv.FindIdentity("billing-svc");
  ASSERT_NE(id, nullptr);
  EXPECT_EQ(id->kind, CredentialKind::kPassword);
  EXPECT_EQ(id->labels.at("tenant"), "acme");
  EXPECT_EQ(id->generate.length, 40);
  EXPECT_EQ(id->generate.require.size(), 3u);
  EXPECT_EQ(*id->rotate_every, Millis(30LL * 86400000));
  ASSERT_EQ(id->issuers.size(), 2u);
  EXPECT_EQ(id->issuers[0].name, "directory");
  EXPECT_EQ(*id->issuers[1].options.GetString("role"), "billing");
  ASSERT_EQ(id->holders.size(), 2u);
  EXPECT_EQ(id->holders[1].options.StringOr("format", ""), "dotenv");
  ASSERT_EQ(id->consumers.size(), 1u);
  EXPECT_EQ(id->consumers[0].reload->exec.size(), 3u);
  EXPECT_EQ(id->consumers[0].confirm->http, "http://127.0.0.1:8080/health/credential");
  EXPECT_EQ(id->consumers[0].after, std::vector<std::string>{"vault-record"});
}

constexpr char kHeader[] = R"(version: 1
systems:
  db: { type: postgres, dsn: "host=127.0.0.1", admin_secret: { env: PGPASS } }
  vault: { type: vault-kv2, address: "http://127.0.0.1:8200", admin_secret: { env: VT } }
  files: { type: file }
identities:
)";

TEST(LoaderTest, UnknownKeySuggestsTheClosest) {
  EXPECT_EQ(Errors(std::string(kHeader) + R"(  svc:
    kind: password
    isuers: [{ system: db, role: svc }]
)"),
            "inv.yaml:7:3: error: identity \"svc\" has no issuers\n"
            "  hint: list the systems that accept it under \"issuers\": without one, rekey cannot "
            "make the old value stop working\n"
            "inv.yaml:9:5: error: unknown key \"isuers\" in identity \"svc\"\n"
            "  hint: did you mean \"issuers\"?\n");
}

TEST(LoaderTest, UnknownSystemSuggestsTheClosest) {
  EXPECT_EQ(
      Errors(std::string(kHeader) + R"(  svc:
    kind: password
    issuers: [{ system: bd, role: svc }]
    holders:
      - { name: v, system: valt, path: p, field: f }
)"),
      "inv.yaml:9:25: error: issuer \"bd\" of identity \"svc\" refers to unknown system \"bd\"\n"
      "  hint: did you mean \"db\"?\n"
      "inv.yaml:11:28: error: holder \"v\" of identity \"svc\" refers to unknown system "
      "\"valt\"\n"
      "  hint: did you mean \"vault\"?\n");
}

TEST(LoaderTest, UnknownConnectorType) {
  EXPECT_EQ(Errors(R"(version: 1
systems:
  v: { type: vault-kv }
identities: {}
)"),
            "inv.yaml:3:14: error: system \"v\" has unknown type \"vault-kv\"\n"
            "  hint: did you mean \"vault-kv2\"? (rekey connectors lists the types)\n");
}

TEST(LoaderTest, OptionTheConnectorTypeDoesNotAccept) {
  EXPECT_EQ(Errors(std::string(kHeader) + R"(  svc:
    kind: password
    issuers: [{ system: db, role: svc, field: password }]
    holders:
      - { name: v, system: vault, path: p, feild: f }
)"),
            "inv.yaml:9:40: error: unknown key \"field\" in issuer \"db\" of identity \"svc\" (a "
            "postgres issuer)\n"
            "  hint: expected one of: system, name, role\n"
            "inv.yaml:11:9: error: holder \"v\" of identity \"svc\" is missing \"field\"\n"
            "  hint: a vault-kv2 holder needs it: the field of the secret's data\n"
            "inv.yaml:11:44: error: unknown key \"feild\" in holder \"v\" of identity \"svc\" (a "
            "vault-kv2 holder)\n"
            "  hint: did you mean \"field\"?\n");
}

TEST(LoaderTest, AnOptionWithChoicesTakesOnlyThose) {
  EXPECT_EQ(Errors(R"(version: 1
systems:
  dir: { type: ldap, url: "ldap://h", bind_dn: b, admin_secret: { env: L }, lock: nis }
identities: {}
)"),
            "inv.yaml:3:83: error: lock \"nis\" is not allowed\n"
            "  hint: expected one of: ppolicy, ad\n");
}

TEST(LoaderTest, AWholeNumberOptionTakesOnlyItsRange) {
  EXPECT_EQ(Errors(R"(version: 1
systems:
  web: { type: htpasswd, url: "http://h", cost: 3 }
identities: {}
)"),
            "inv.yaml:3:49: error: cost must be a whole number from 4 to 17\n");
}

TEST(LoaderTest, InlineSecretIsRefusedWithoutEchoingIt) {
  std::string errors = Errors(R"(version: 1
systems:
  db: { type: postgres, dsn: "host=127.0.0.1", admin_secret: "hunter2-canary" }
identities: {}
)");
  EXPECT_EQ(errors,
            "inv.yaml:3:62: error: admin_secret must be a reference, not an inline secret\n"
            "  hint: write { env: VARIABLE } or { file: /path/to/secret }; an inventory never "
            "holds a secret\n");
  EXPECT_EQ(errors.find("hunter2"), std::string::npos);
}

TEST(LoaderTest, BadDurations) {
  EXPECT_EQ(Errors(R"(version: 1
systems:
  db: { type: postgres, dsn: x, admin_secret: { env: P }, timeout: 5 }
identities:
  svc: { kind: token, rotate_every: 30days, issuers: [{ system: db, role: r }] }
)"),
            "inv.yaml:3:68: error: timeout: bad duration \"5\": expected a number and a unit "
            "(ms, s, m, h, d, w), e.g. 30d, 1h30m, 500ms\n"
            "inv.yaml:5:37: error: rotate_every: bad duration \"30days\": expected a number and a "
            "unit (ms, s, m, h, d, w), e.g. 30d, 1h30m, 500ms\n");
}

TEST(LoaderTest, DuplicateNames) {
  EXPECT_EQ(Errors(std::string(kHeader) + R"(  svc:
    kind: password
    issuers: [{ system: db, role: svc }]
    holders:
      - { name: cfg, system: files, path: /a }
      - { name: cfg, system: files, path: /b }
  svc:
    kind: token
)"),
            "inv.yaml:12:9: error: duplicate name \"cfg\" in identity \"svc\" (holder)\n"
            "  hint: first used at inv.yaml:11:9; give each binding its own name\n"
            "inv.yaml:13:3: error: duplicate identity \"svc\"\n"
            "  hint: first defined at inv.yaml:7:3\n");
}

TEST(LoaderTest, CycleInAfterPrintsTheCycle) {
  EXPECT_EQ(Errors(std::string(kHeader) + R"(  svc:
    kind: password
    issuers: [{ system: db, role: svc }]
    consumers:
      - { name: api, after: [worker], reload: { exec: [true] } }
      - { name: worker, after: agent, reload: { exec: [true] } }
      - { name: agent, after: [api], attest: { exec: [true] } }
)"),
            "inv.yaml:11:9: error: cycle in \"after\" of identity \"svc\": api -> worker -> agent "
            "-> api\n"
            "  hint: remove one of these dependencies\n");
}

TEST(LoaderTest, HolderMayNotWaitForAConsumer) {
  EXPECT_EQ(Errors(std::string(kHeader) + R"(  svc:
    kind: password
    issuers: [{ system: db, role: svc }]
    holders: [{ name: cfg, system: files, path: /a, after: [api] }]
    consumers: [{ name: api, confirm: { exec: [true] } }]
)"),
            "inv.yaml:10:15: error: holder \"cfg\" of identity \"svc\" waits for consumer \"api\"\n"
            "  hint: a holder may only wait for other holders: consumers run after the holders "
            "they read from are written\n");
}

TEST(LoaderTest, ConsumerNeedsAnAction) {
  EXPECT_EQ(Errors(std::string(kHeader) + R"(  svc:
    kind: password
    issuers: [{ system: db, role: svc }]
    consumers: [{ name: api }]
)"),
            "inv.yaml:10:17: error: consumer 1 of identity \"svc\" has no attest, reload or "
            "confirm\n"
            "  hint: give it at least one action, e.g. confirm: { exec: [/usr/local/bin/check-app] "
            "}\n");
}

TEST(LoaderTest, AfterNamesMustExist) {
  EXPECT_EQ(Errors(std::string(kHeader) + R"(  svc:
    kind: password
    issuers: [{ system: db, role: svc }]
    holders: [{ name: vault-record, system: files, path: /a }]
    consumers: [{ name: api, after: [vault-recrd], reload: { exec: [true] } }]
)"),
            "inv.yaml:11:17: error: consumer \"api\" of identity \"svc\" waits for unknown "
            "\"vault-recrd\"\n"
            "  hint: \"after\" names holders or consumers of the same identity; did you mean "
            "\"vault-record\"?\n");
}

TEST(LoaderTest, RoleTheConnectorCannotPlay) {
  EXPECT_EQ(Errors(std::string(kHeader) + R"(  svc:
    kind: password
    issuers: [{ system: files, path: /a }]
)"),
            "inv.yaml:9:25: error: issuer \"files\" of identity \"svc\": system \"files\" (type "
            "file) cannot be an issuer\n"
            "  hint: file systems can only be holders\n");
}

TEST(LoaderTest, KindGenerateAndVersion) {
  EXPECT_EQ(Errors(R"(version: 2
systems:
  db: { type: postgres, dsn: x, admin_secret: { env: P } }
identities:
  svc:
    kind: passwd
    generate: { length: 4, alphabet: base64, require: [upper, emoji] }
    issuers: [{ system: db, role: r }]
)"),
            "inv.yaml:1:10: error: unsupported inventory version 2\n"
            "  hint: this rekey reads version 1\n"
            "inv.yaml:6:11: error: unknown kind \"passwd\"\n"
            "  hint: did you mean \"password\"?\n"
            "inv.yaml:7:25: error: length must be a whole number from 8 to 4096\n"
            "inv.yaml:7:38: error: unknown alphabet \"base64\"\n"
            "  hint: did you mean \"base64url\"?\n"
            "inv.yaml:7:55: error: unknown character class \"emoji\"\n"
            "  hint: expected one of: lower, upper, digit, symbol\n");
}

TEST(LoaderTest, YamlSyntaxErrorHasAPosition) {
  EXPECT_EQ(Errors("version: 1\nsystems: { db: [\n"),
            "inv.yaml:3:1: error: YAML syntax: while parsing a flow node: did not find expected "
            "node content\n"
            "  hint: check indentation and quoting near this line\n");
}

TEST(LoaderTest, ReportsAllErrorsAtOnce) {
  Diagnostics d("inv.yaml");
  auto r = ParseInventory(std::string(kHeader) + R"(  a: { kind: x, issuers: [{ system: nope }] }
  b: { kind: y, issuers: [{ system: db }], colour: red }
)",
                          "inv.yaml", &d);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "5 errors in inv.yaml");
  EXPECT_EQ(d.size(), 5u);
}

}  // namespace
}  // namespace rekey
