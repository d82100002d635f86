#!/usr/bin/env python3
"""Generate import files for bench/imports.sh (docs/imports.md), standard
library only: .xlsx written by hand (inline strings in one sheet), so the
server's streamed reader is what is measured.

  gen_import.py DIR PEOPLE FACTS [UNITS]

DIR/organizations.xlsx: UNITS units (IMP0001…); DIR/people.xlsx: PEOPLE
people spread over them, the first unit holding FACTS of them (one row
each, a tenth with a closed earlier employment as a second row);
DIR/facts.xlsx: the first unit's FACTS people for 2024.
"""
import random
import sys
import zipfile
from xml.sax.saxutils import escape

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Thanh", "Ngọc", "Đức", "Quang"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Giang", "Hà", "Hùng", "Lan", "Mai", "Nam", "Phương", "Quân", "Sơn", "Thảo"]


def col(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def write_xlsx(path, sheet, rows):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                   '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                   '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                   '</Types>')
        z.writestr("_rels/.rels",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                   '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
                   '</Relationships>')
        z.writestr("xl/workbook.xml",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                   '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                   'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                   f'<sheets><sheet name="{escape(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels",
                   '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                   '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                   '</Relationships>')
        out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               f'<dimension ref="A1:{col(len(rows[0]) - 1)}{len(rows)}"/><sheetData>']
        for r, row in enumerate(rows, 1):
            cells = "".join(
                f'<c r="{col(c)}{r}" t="inlineStr"><is><t>{escape(str(v))}</t></is></c>'
                for c, v in enumerate(row) if v != "")
            out.append(f'<row r="{r}">{cells}</row>')
        out.append("</sheetData></worksheet>")
        z.writestr("xl/worksheets/sheet1.xml", "".join(out))


def main():
    out, people, facts = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    units = int(sys.argv[4]) if len(sys.argv) > 4 else 100
    rnd = random.Random(1)
    write_xlsx(f"{out}/organizations.xlsx", "Đơn vị",
               [["Mã đơn vị", "Tên đơn vị", "Loại hình"]]
               + [[f"IMP{u:04d}", f"Đơn vị nhập {u}", "department"] for u in range(1, units + 1)])
    rows = [["Mã cán bộ", "Họ và tên", "Ngạch", "Giới tính", "Mã đơn vị", "Chức vụ", "Từ ngày", "Đến ngày"]]
    for i in range(1, people + 1):
        unit = 1 if i <= facts else 2 + (i % max(units - 1, 1))
        name = f"{rnd.choice(SURNAMES)} {rnd.choice(MIDDLE)} {rnd.choice(GIVEN)}"
        cat = rnd.choice(["can_bo", "cong_chuc", "vien_chuc", "nguoi_lao_dong"])
        sex = rnd.choice(["male", "female"])
        code = f"BI{i:06d}"
        if i % 10 == 0:
            rows.append([code, name, cat, sex, f"IMP{(unit % units) + 1:04d}", "Chuyên viên", "2010-01-01", "2018-12-31"])
            rows.append([code, name, cat, sex, f"IMP{unit:04d}", "Phó phòng", "2019-01-01", ""])
        else:
            rows.append([code, name, cat, sex, f"IMP{unit:04d}", "Chuyên viên", "2015-09-01", ""])
    write_xlsx(f"{out}/people.xlsx", "Cán bộ", rows)
    frows = [["Mã cán bộ", "Năm", "Xếp loại", "Đăng ký thi đua", "Số tháng công tác", "Số ngày nghỉ", "Kỷ luật"]]
    for i in range(1, facts + 1):
        frows.append([f"BI{i:06d}", "2024", rnd.choice(["htxs", "htt", "htt", "ht"]), "có", "12", str(rnd.randint(0, 20)), "none"])
    write_xlsx(f"{out}/facts.xlsx", "Kết quả", frows)


if __name__ == "__main__":
    main()
