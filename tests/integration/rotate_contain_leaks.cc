#include "rotate_contain_leaks.h"

namespace rekey::it {

RotateContainLeaks RotateContainAndSearch(const Sandbox& box, const std::string& adopted) {
  RotateContainLeaks r;
  Outcome rotate = box.Run("rotate");
  std::string rotated = box.DotenvValue().value_or("");
  Outcome contain = box.Run("contain");
  std::string contained = box.DotenvValue().value_or("");
  EXPECT_EQ(rotate.exit_code, 0) << Describe(rotate);
  EXPECT_EQ(contain.exit_code, 0) << Describe(contain);
  EXPECT_NE(rotated, contained);
  r.ran = rotate.exit_code == 0 && contain.exit_code == 0 && rotated != contained;
  r.values = {{"adopted", adopted}, {"rotated", rotated}, {"contained", contained}};
  for (const std::string& file : FilesUnder(box.state_dir())) {
    FindLeaks(ReadFileOr(file), file, r.values, &r.leaks);
  }
  for (const Outcome* o : {&rotate, &contain}) {
    FindLeaks(o->out + o->err, "rekey's output", r.values, &r.leaks);
  }
  return r;
}

}  // namespace rekey::it
