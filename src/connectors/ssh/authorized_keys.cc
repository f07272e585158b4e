// Lines are split on "\n" with their terminators kept, so a line that is not edited is copied as
// it was (CRLF, trailing blanks, a missing final newline). A key line is tokenized as sshd does:
// options first (one word, in which double quotes protect blanks), then the key.
#include "connectors/ssh/authorized_keys.h"

#include <sodium.h>

#include <vector>

#include "secret/generator.h"

namespace rekey::ssh {
namespace {

constexpr std::string_view kNoteOptions = "; options for the next key:";

struct Line {
  std::string_view text;  // with its terminator
  std::string_view body;  // without "\n" or "\r\n"
};

std::vector<Line> SplitLines(std::string_view text) {
  std::vector<Line> lines;
  while (!text.empty()) {
    size_t end = text.find('\n');
    size_t size = end == std::string_view::npos ? text.size() : end + 1;
    Line line{text.substr(0, size), text.substr(0, size)};
    while (!line.body.empty() && (line.body.back() == '\n' || line.body.back() == '\r')) {
      line.body.remove_suffix(1);
    }
    lines.push_back(line);
    text.remove_prefix(size);
  }
  return lines;
}

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// The blank-separated words of BODY with where each starts; double quotes protect blanks.
std::vector<std::pair<size_t, std::string_view>> Words(std::string_view body) {
  std::vector<std::pair<size_t, std::string_view>> words;
  size_t i = 0;
  while (i < body.size()) {
    while (i < body.size() && IsBlank(body[i])) {
      ++i;
    }
    size_t start = i;
    bool quoted = false;
    for (; i < body.size() && (quoted || !IsBlank(body[i])); ++i) {
      if (body[i] == '\\' && quoted && i + 1 < body.size()) {
        ++i;
      } else if (body[i] == '"') {
        quoted = !quoted;
      }
    }
    if (i > start) {
      words.emplace_back(start, body.substr(start, i - start));
    }
  }
  return words;
}

// Where KEY's type starts in BODY (so the options are what precedes it), or npos. As sshd reads
// a line: the key is its first two words, or the two after the options, which are one word.
size_t KeyAt(std::string_view body, const PublicKey& key) {
  auto words = Words(body);
  if (words.empty() || words[0].second.front() == '#') {
    return std::string_view::npos;
  }
  for (size_t i = 0; i < 2 && i + 1 < words.size(); ++i) {
    if (words[i].second == key.type && words[i + 1].second == key.base64) {
      return words[i].first;
    }
  }
  return std::string_view::npos;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && IsBlank(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

std::string NotePrefix(std::string_view identity) {
  return "# rekey:" + std::string(identity) + " removed ";
}

// The options kept in IDENTITY's note line BODY, or nullopt when BODY is not one.
std::optional<std::string_view> NoteOptions(std::string_view body, std::string_view identity) {
  if (body.substr(0, NotePrefix(identity).size()) != NotePrefix(identity)) {
    return std::nullopt;
  }
  size_t at = body.find(kNoteOptions);
  if (at == std::string_view::npos) {
    return std::nullopt;
  }
  return Trim(body.substr(at + kNoteOptions.size()));
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) {
    out += p;
  }
  return out;
}

}  // namespace

std::string PublicKey::Fingerprint() const {
  std::string blob(base64.size(), '\0');
  size_t blob_size = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(blob.data()), blob.size(), base64.data(),
                        base64.size(), nullptr, &blob_size, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    return "SHA256:?";
  }
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(blob.data()), blob_size);
  constexpr int kVariant = sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(sizeof digest, kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), digest, sizeof digest, kVariant);
  out.resize(out.find('\0'));
  return "SHA256:" + out;
}

Result<PublicKey> PublicKeyOf(const SecretBytes& private_key) {
  Result<std::string> line = SshPublicKey(private_key);
  if (!line.ok()) {
    return line.status();
  }
  size_t space = line->find(' ');
  size_t end = line->find(' ', space + 1);
  return PublicKey{line->substr(0, space), line->substr(space + 1, end - space - 1)};
}

std::string RekeyComment(std::string_view identity, const PublicKey& key) {
  return "rekey:" + std::string(identity) + " version=" + key.Fingerprint();
}

bool HasKey(std::string_view text, const PublicKey& key) {
  for (const Line& line : SplitLines(text)) {
    if (KeyAt(line.body, key) != std::string_view::npos) {
      return true;
    }
  }
  return false;
}

std::optional<std::string> AddKey(std::string_view text, const PublicKey& key, const PublicKey* old,
                                  std::string_view identity, std::string_view comment) {
  if (HasKey(text, key)) {
    return std::nullopt;
  }
  std::vector<Line> lines = SplitLines(text);
  std::optional<std::string_view> options;
  size_t after_old = std::string_view::npos, note = std::string_view::npos;
  for (size_t i = 0; i < lines.size(); ++i) {
    size_t at = old != nullptr ? KeyAt(lines[i].body, *old) : std::string_view::npos;
    if (at != std::string_view::npos) {
      options = options.value_or(Trim(lines[i].body.substr(0, at)));
      after_old = i;
    } else if (note == std::string_view::npos && NoteOptions(lines[i].body, identity)) {
      note = i;
    }
  }
  if (!options && note != std::string_view::npos) {
    options = NoteOptions(lines[note].body, identity);
  }
  std::string prefix = options && !options->empty() ? std::string(*options) + " " : "";
  std::string added = prefix + key.type + " " + key.base64 + " " + std::string(comment) + "\n";
  std::vector<std::string> out;
  auto put_added = [&] {
    if (!out.empty() && out.back().back() != '\n') {
      out.back() += '\n';
    }
    out.push_back(added);
  };
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i == note) {
      if (after_old == std::string_view::npos) {
        put_added();  // the new key takes the note's place and its options
      }
      continue;
    }
    out.emplace_back(lines[i].text);
    if (i == after_old) {
      put_added();
    }
  }
  if (after_old == std::string_view::npos && note == std::string_view::npos) {
    put_added();
  }
  return Join(out);
}

std::optional<std::string> RemoveKey(std::string_view text, const PublicKey& key,
                                     const PublicKey* next, std::string_view identity) {
  std::vector<std::string> out;
  bool removed = false, noted = false;
  bool next_present = next != nullptr && HasKey(text, *next);
  for (const Line& line : SplitLines(text)) {
    size_t at = KeyAt(line.body, key);
    if (at == std::string_view::npos) {
      out.emplace_back(line.text);
      continue;
    }
    removed = true;
    std::string options(Trim(line.body.substr(0, at)));
    if (!next_present && !noted) {
      out.push_back(NotePrefix(identity) + key.Fingerprint() + std::string(kNoteOptions) +
                    (options.empty() ? "" : " " + options) + "\n");
      noted = true;
    }
  }
  if (!removed) {
    return std::nullopt;
  }
  return Join(out);
}

}  // namespace rekey::ssh
