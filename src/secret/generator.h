// Credential generation: fresh secret values drawn from the operating system's CSPRNG
// (libsodium's randombytes), either as a string over an inventory alphabet or as an ed25519 SSH
// key in OpenSSH's private-key format. Every intermediate buffer is zeroed before it is freed.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "core/inventory.h"
#include "secret/secret_bytes.h"

namespace rekey {

// Returns POLICY.length characters, each drawn uniformly from POLICY.alphabet, in which every
// class of POLICY.require appears at least once. Whole candidates are drawn and rejected until
// one satisfies the policy, so the result is uniform over all strings that satisfy it.
// invalid_argument when the policy cannot be met: a required class the alphabet lacks, more
// required classes than characters, or a length outside [8, 4096]. Thread-safe.
Result<SecretBytes> GenerateSecret(const GeneratePolicy& policy);

// Returns a fresh ed25519 private key as an unencrypted OpenSSH private key
// ("-----BEGIN OPENSSH PRIVATE KEY-----", openssh-key-v1, cipher and kdf "none") carrying
// COMMENT, as `ssh-keygen -t ed25519 -N ''` writes it. invalid_argument when COMMENT holds a line
// break. Thread-safe.
Result<SecretBytes> GenerateSshPrivateKey(std::string_view comment);

// Returns the public line of an unencrypted OpenSSH ed25519 private key, as `ssh-keygen -y`
// prints it: "ssh-ed25519 AAAA... comment" (no trailing space or newline; no comment part when
// the comment is empty). invalid_argument when PRIVATE_KEY is not an OpenSSH private key or is
// one of another type or encrypted; corruption when it is malformed or inconsistent. Error
// messages never contain key material. Thread-safe.
Result<std::string> SshPublicKey(const SecretBytes& private_key);

}  // namespace rekey
