// The text of an authorized_keys file (sshd(8), AUTHORIZED_KEYS FILE FORMAT) and the edits rekey
// makes to it: add a key, remove a key. Every line that does not hold the key being changed is
// kept byte for byte; a line is found by its key (type and base64), whatever its options and
// comment. Pure functions: reading and writing the file is the caller's.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "secret/secret_bytes.h"

namespace rekey::ssh {

// A public key as authorized_keys writes it: "ssh-ed25519" and "AAAA...".
struct PublicKey {
  std::string type;
  std::string base64;

  // "SHA256:" and the unpadded base64 of the SHA-256 of the key blob, as `ssh-keygen -l` prints.
  std::string Fingerprint() const;
};

// The public half of an OpenSSH private key. Errors as SshPublicKey's (no key material in them).
Result<PublicKey> PublicKeyOf(const SecretBytes& private_key);

// The comment rekey writes after a key it installs: "rekey:IDENTITY version=SHA256:...".
std::string RekeyComment(std::string_view identity, const PublicKey& key);

// Whether some line of TEXT authorizes KEY.
bool HasKey(std::string_view text, const PublicKey& key);

// TEXT with a line for KEY added, or nullopt when it already has one (nothing to write). The line
// is "OPTIONS TYPE BASE64 COMMENT": OPTIONS are those of the first line holding OLD when there is
// one (a rotation must not widen what the key may do), else those a removal of IDENTITY's
// previous key left in a note line (see RemoveKey), which the new line replaces. The line goes
// after the last line holding OLD, else where the note was, else at the end.
std::optional<std::string> AddKey(std::string_view text, const PublicKey& key, const PublicKey* old,
                                  std::string_view identity, std::string_view comment);

// TEXT without the lines holding KEY, or nullopt when it has none. When NEXT (the key that
// replaces KEY, if known) is not in TEXT, a note line
// "# rekey:IDENTITY removed SHA256:...; options for the next key: OPTIONS" takes the place of
// the first one, so that AddKey can put the next key there with the same options (contain
// removes first and installs later).
std::optional<std::string> RemoveKey(std::string_view text, const PublicKey& key,
                                     const PublicKey* next, std::string_view identity);

}  // namespace rekey::ssh
