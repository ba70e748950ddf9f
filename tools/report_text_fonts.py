"""Makes the text fonts the report's HTML carries, so that its pages break
in the same places on every machine (a browser without them would set the
text in whatever serif it has, wider or narrower, and move every break):

    templates/fonts/report-serif-{regular,italic,bold,bolditalic}.woff2
    templates/fonts/report-sans-bold.woff2   (headings, table heads)
    templates/fonts/report-mono-regular.woff2 (code)

They are Latin Modern Roman, Sans and Mono 2.005 (GUST Font License, see
templates/fonts/GUST-FONT-LICENSE.txt), cut down to Latin, Greek and the
punctuation and symbols the prose uses, and renamed "Report Serif",
"Report Sans" and "Report Mono", as the license asks of derived fonts:

    python3 tools/report_text_fonts.py /usr/share/texmf/fonts/opentype/public/lm

(Debian: package fonts-lmodern; Python: fonttools and brotli.)
"""

import os
import sys

from fontTools import subset
from fontTools.ttLib import TTFont

UNICODES = (
    "U+0020-007E,U+00A0-017F,U+0391-03C9,U+2000-206F,U+2190-2193,"
    "U+2212,U+2202,U+2207,U+2211,U+221A,U+221E,U+2248,U+2260,U+2264-2265,U+22C5"
)
FONTS = [
    ("lmroman10-regular.otf", "report-serif-regular.woff2", "Report Serif", "Regular"),
    ("lmroman10-italic.otf", "report-serif-italic.woff2", "Report Serif", "Italic"),
    ("lmroman10-bold.otf", "report-serif-bold.woff2", "Report Serif", "Bold"),
    ("lmroman10-bolditalic.otf", "report-serif-bolditalic.woff2", "Report Serif", "Bold Italic"),
    ("lmsans10-bold.otf", "report-sans-bold.woff2", "Report Sans", "Bold"),
    ("lmmono10-regular.otf", "report-mono-regular.woff2", "Report Mono", "Regular"),
]


def main(folder):
    for source, out, family, style in FONTS:
        options = subset.Options()
        options.layout_features = ["kern", "liga", "onum", "pnum", "tnum", "lnum"]
        options.flavor = "woff2"
        options.name_IDs = ["*"]
        font = TTFont(os.path.join(folder, source))
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=subset.parse_unicodes(UNICODES))
        subsetter.subset(font)
        for record in font["name"].names:
            if record.nameID in (1, 16):
                record.string = family
            elif record.nameID in (2, 17):
                record.string = style
            elif record.nameID == 4:
                record.string = f"{family} {style}"
            elif record.nameID == 6:
                record.string = f"{family}-{style}".replace(" ", "")
            elif record.nameID == 3:
                record.string = f"{family} {style} (subset of Latin Modern 2.005)"
        font.flavor = "woff2"
        path = os.path.join("templates/fonts", out)
        font.save(path)
        print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main(sys.argv[1])
