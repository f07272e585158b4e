// SharedText: an immutable text that the copies of what holds it share.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <utility>

namespace rekey {

// A run record carries the text of the inventory it was planned from: hundreds of KB for a
// tenant, and `run --all` makes a record per identity and copies each several times. Copying a
// SharedText copies a pointer, and two copies of one text compare equal without reading it.
class SharedText {
 public:
  SharedText() = default;
  SharedText(std::string text)  // NOLINT(google-explicit-constructor): it stands for the text
      : text_(std::make_shared<const std::string>(std::move(text))) {}
  SharedText(const char* text) : SharedText(std::string(text)) {}  // NOLINT: as above

  const std::string& str() const { return text_ ? *text_ : Empty(); }

  friend bool operator==(const SharedText& a, const SharedText& b) {
    return a.text_ == b.text_ || a.str() == b.str();
  }
  friend std::ostream& operator<<(std::ostream& out, const SharedText& t) { return out << t.str(); }

 private:
  static const std::string& Empty() {
    static const std::string empty;
    return empty;
  }

  std::shared_ptr<const std::string> text_;
};

}  // namespace rekey
