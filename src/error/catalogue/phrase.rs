//! Words that fill a placeholder and differ by language.

use super::Text;

pub const HEAD_NOT_MEMBER: Text =
    Text::new("trưởng khối không phải thành viên", "head is not a member");
pub const DEPUTY_NOT_MEMBER: Text =
    Text::new("phó khối không phải thành viên", "deputy is not a member");
pub const HEAD_IS_DEPUTY: Text = Text::new(
    "trưởng và phó khối là cùng một đơn vị",
    "head and deputy are the same unit",
);
pub const PERSON: Text = Text::new("cá nhân", "person");
pub const COLLECTIVE: Text = Text::new("tập thể", "collective");
