"""Makes templates/fonts/report-math.woff2, the math font the report's HTML
carries, so that its formulas render the same on a machine with no math font
of its own (stretched braces, display sums, primes).

It is Latin Modern Math (GUST Font License, see
templates/fonts/GUST-FONT-LICENSE.txt), cut down to the characters the
report's formulas use and renamed "Report Math", as the license asks of
derived fonts. Run it again only to change the character set:

    python3 tools/report_math_font.py /usr/share/texmf/fonts/opentype/public/lm-math/latinmodern-math.otf

(Debian: package fonts-lmodern; Python: fonttools and brotli.)
"""

import sys

from fontTools import subset
from fontTools.ttLib import TTFont

UNICODES = (
    "U+0020-007E,U+00A0-00FF,U+0131,U+0237,U+02C6-02DC,U+0300-036F,"
    "U+0391-03C9,U+03D1,U+03D5,U+03F0-03F1,U+03F5,U+2000-206F,U+20D0-20FF,"
    "U+2100-214F,U+2190-21FF,U+2200-22FF,U+2300-23FF,U+27E8-27E9,"
    # mathematical italic Latin and Greek, which MathML uses for variables
    "U+1D434-1D467,U+1D6A4-1D6A5,U+1D6E2-1D71B"
)
OUT = "templates/fonts/report-math.woff2"
NAME = "Report Math"


def main(source):
    options = subset.Options()
    options.layout_features = ["*"]
    options.flavor = "woff2"
    options.name_IDs = ["*"]
    font = TTFont(source)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=subset.parse_unicodes(UNICODES))
    subsetter.subset(font)
    names = font["name"]
    for record in names.names:
        if record.nameID in (1, 4, 16):
            record.string = NAME
        elif record.nameID == 6:
            record.string = NAME.replace(" ", "")
        elif record.nameID == 3:
            record.string = NAME + " (subset of Latin Modern Math 1.959)"
    font.flavor = "woff2"
    font.save(OUT)
    print("wrote", OUT)


if __name__ == "__main__":
    main(sys.argv[1])
