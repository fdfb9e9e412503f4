#!/usr/bin/env bash
# card/font/subset.sh: rebuilds NotoSansCJKsc-Regular-subset.otf, the font the
# cards are drawn with. Needs Debian's fonts-noto-cjk and fonttools
# (apt-get install fonts-noto-cjk python3-fonttools).
#
# Kept: ASCII, every character of GB2312 (6,763 hanzi plus its punctuation and
# symbols), the punctuation Chinese text uses beyond it, and every character
# of the embedded reports and of the repository's Go sources (so the fixed
# labels the cards and digests print are always covered). card's tests fail
# naming any character of the reports the font lacks.
set -euo pipefail
cd "$(dirname "$0")"
repo=$(cd ../.. && pwd)
src=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
chars=$(mktemp)
trap 'rm -f "$chars"' EXIT
/usr/bin/python3 - "$repo" >"$chars" <<'PY'
import sys, pathlib
repo = pathlib.Path(sys.argv[1])
cs = set(chr(c) for c in range(0x20, 0x7f))
for hi in range(0xA1, 0xF8):
    for lo in range(0xA1, 0xFF):
        try:
            cs.add(bytes([hi, lo]).decode('gb2312'))
        except UnicodeDecodeError:
            pass
cs.update('·•—–…‘’“”《》〈〉「」『』【】〔〕（）、。，：；！？％＋－×÷≤≥℃①②③④⑤⑥⑦⑧⑨⑩→↑↓›‹€¥￥°')
files = list((repo / 'corpus' / 'reports').glob('*')) + list(repo.glob('**/*.go'))
for f in files:
    try:
        cs.update(f.read_text(encoding='utf-8'))
    except (UnicodeDecodeError, IsADirectoryError):
        pass
print(''.join(sorted(c for c in cs if c.isprintable() and ord(c) >= 0x20 and ord(c) < 0x10000)))
PY
/usr/bin/python3 -m fontTools.subset "$src" --font-number=2 --text-file="$chars" \
	--output-file=NotoSansCJKsc-Regular-subset.otf --layout-features='' --no-hinting \
--name-IDs='*' --name-legacy --name-languages='*'
ls -l NotoSansCJKsc-Regular-subset.otf
