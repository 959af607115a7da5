#!/bin/sh
# Make the document fonts in src/shipcaptaincrew/receipts/fonts/ from DejaVu Sans 2.37
# (Debian's fonts-dejavu-core): Latin (with Vietnamese), Greek, Cyrillic, punctuation and
# currency signs only, without hinting or OpenType layout tables, which fpdf2 does not use.
# A sixth of the full files: each receipt parses and subsets the font, so a small font
# renders several times faster, and the Lambda package stays smaller.
set -eu
SRC=${1:-/usr/share/fonts/truetype/dejavu}
OUT=src/shipcaptaincrew/receipts/fonts
RANGES="U+0000-024F,U+0259,U+02B0-02FF,U+0300-036F,U+0370-03FF,U+0400-052F,U+1E00-1EFF,U+2000-206F,U+20A0-20CF,U+2100-214F,U+2190-2199,U+2212,U+FB00-FB06,U+FFFD"
for name in DejaVuSans DejaVuSans-Bold; do
  .venv/bin/python -m fontTools.subset "$SRC/$name.ttf" --unicodes="$RANGES" \
    --no-hinting --layout-features='' --glyph-names --drop-tables+=FFTM,GDEF,GPOS,GSUB,kern \
    --name-IDs='*' --name-languages='*' --notdef-outline --recommended-glyphs \
    --output-file="$OUT/$name.ttf"
done
