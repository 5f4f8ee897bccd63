#!/usr/bin/env python3
"""Generates src/url/idna_tables.cc: the Unicode data riptide's IDNA (UTS #46) code needs.

Data sources (facts, not code):
  * the UTS #46 IDNA mapping table, read from the `idna` Python package's uts46data.py
    (Debian: python3-idna, or pip `idna`); its joining types (idnadata.py) feed CheckJoiners;
  * canonical decompositions, combining classes, bidi classes and general categories from
    Python's own `unicodedata` module (use the newest Python available: its Unicode version is
    recorded in the output).

Usage:
  python3 tools/gen_idna_tables.py [--idna-dir DIR] > src/url/idna_tables.cc
  clang-format -i src/url/idna_tables.cc
The build never runs this script; the generated file is committed. The committed table was made
with the idna package's UTS #46 17.0.0 data and Python 3.13's unicodedata (Unicode 15.1), so
code points assigned after 15.1 get no NFC composition and default bidi/mark properties.
"""
import argparse
import os
import sys
import unicodedata

MAX_CP = 0x110000

# Status values; keep in sync with url/idna_tables.h (IdnaStatus).
VALID, IGNORED, MAPPED, DISALLOWED, DEVIATION, MAPPED_DELTA, MAPPED_ALTERNATE = range(7)
STATUS_NAMES = ["kValid", "kIgnored", "kMapped", "kDisallowed", "kDeviation", "kMappedDelta",
                "kMappedAlternate"]

BIDI_CLASSES = ["L", "R", "AL", "EN", "ES", "ET", "AN", "CS", "NSM", "BN", "B", "S", "WS", "ON",
                "LRE", "LRO", "RLE", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"]
JOINING = {ord("U"): 0, ord("D"): 1, ord("L"): 2, ord("R"): 3, ord("T"): 4, ord("C"): 5}


def load_idna(idna_dir):
    if idna_dir:
        sys.path.insert(0, idna_dir)
        import uts46data  # noqa: E402
        import idnadata  # noqa: E402
    else:
        from idna import uts46data, idnadata  # noqa: E402
    return uts46data, idnadata


def expand_uts46(table):
    """Per code point (status, mapping string or None)."""
    out = [None] * MAX_CP
    rows = list(table)
    for i, row in enumerate(rows):
        start = row[0]
        end = rows[i + 1][0] if i + 1 < len(rows) else MAX_CP
        st = row[1]
        mapping = row[2] if len(row) > 2 else None
        if st == "V":
            val = (VALID, None)
        elif st == "I":
            val = (IGNORED, None)
        elif st == "M":
            val = (MAPPED, mapping)
        elif st == "D":
            val = (DEVIATION, None)
        elif st == "X":
            val = (DISALLOWED, None)
        elif st == "3":
            # disallowed_STD3_*: UseSTD3ASCIIRules=false treats them as valid / mapped.
            val = (MAPPED, mapping) if mapping is not None else (VALID, None)
        else:
            raise SystemExit("unknown status %r" % st)
        for cp in range(start, end):
            out[cp] = val
    return out


def compress_uts46(per_cp):
    """Ranges (start, status, value, length) plus the mapping code point pool."""
    pool = []
    pool_index = {}
    ranges = []
    cp = 0
    while cp < MAX_CP:
        st, m = per_cp[cp]
        if st == MAPPED and len(m) == 1:
            delta = ord(m) - cp
            # A run of single code point mappings with one delta (A-Z -> a-z, math letters).
            end = cp + 1
            while end < MAX_CP and per_cp[end][0] == MAPPED and len(per_cp[end][1]) == 1 and \
                    ord(per_cp[end][1]) - end == delta:
                end += 1
            if end - cp >= 2:
                ranges.append((cp, MAPPED_DELTA, delta, 0))
                cp = end
                continue
            # Alternating upper/lower case pairs: even offsets map to cp+delta, odd ones valid.
            end = cp
            while end + 1 < MAX_CP and per_cp[end][0] == MAPPED and len(per_cp[end][1]) == 1 and \
                    ord(per_cp[end][1]) - end == delta and per_cp[end + 1][0] == VALID:
                end += 2
            if end - cp >= 4:
                ranges.append((cp, MAPPED_ALTERNATE, delta, 0))
                cp = end
                continue
        if st == MAPPED:
            if m not in pool_index:
                pool_index[m] = len(pool)
                pool.extend(ord(c) for c in m)
            ranges.append((cp, MAPPED, pool_index[m], len(m)))
            cp += 1
            continue
        end = cp + 1
        while end < MAX_CP and per_cp[end][0] == st and st != MAPPED:
            end += 1
        ranges.append((cp, st, 0, 0))
        cp = end
    return ranges, pool


def runs(values, default):
    """(start, end_inclusive, value) for maximal runs of value != default."""
    out = []
    cp = 0
    while cp < MAX_CP:
        v = values(cp)
        end = cp
        while end + 1 < MAX_CP and values(end + 1) == v:
            end += 1
        if v != default:
            out.append((cp, end, v))
        cp = end + 1
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--idna-dir", help="directory holding uts46data.py and idnadata.py")
    args = ap.parse_args()
    uts46data, idnadata = load_idna(args.idna_dir)

    per_cp = expand_uts46(uts46data.uts46data)
    ranges, pool = compress_uts46(per_cp)

    ccc_cache = [unicodedata.combining(chr(cp)) for cp in range(MAX_CP)]
    ccc_runs = runs(lambda cp: ccc_cache[cp], 0)

    decomp = []
    compose = []
    for cp in range(MAX_CP):
        if 0xAC00 <= cp <= 0xD7A3:
            continue  # Hangul syllables are algorithmic.
        d = unicodedata.decomposition(chr(cp))
        if not d or d.startswith("<"):
            continue
        parts = [int(x, 16) for x in d.split()]
        assert 1 <= len(parts) <= 2
        decomp.append((cp, parts[0], parts[1] if len(parts) == 2 else 0))
        if len(parts) == 2 and unicodedata.normalize("NFC", chr(parts[0]) + chr(parts[1])) == chr(cp):
            compose.append((parts[0], parts[1], cp))
    compose.sort()

    bidi_cache = [unicodedata.bidirectional(chr(cp)) or "L" for cp in range(MAX_CP)]
    bidi_runs = runs(lambda cp: bidi_cache[cp], "L")

    mark_runs = runs(lambda cp: unicodedata.category(chr(cp)).startswith("M"), False)

    jt = idnadata.joining_types
    jt = jt() if callable(jt) else jt
    joining_runs = runs(lambda cp: JOINING.get(jt.get(cp, ord("U")), 0), 0)

    w = sys.stdout.write
    w("// Generated by tools/gen_idna_tables.py. Do not edit.\n")
    w("// UTS #46 IDNA mapping table %s (idna package data); normalization, combining classes,\n"
      % uts46data.__version__)
    w("// bidi classes and general categories from Unicode %s (Python unicodedata); joining types\n"
      % unicodedata.unidata_version)
    w("// from the idna package (Unicode %s). Unicode data is (c) Unicode, Inc., Unicode License v3.\n"
      % idnadata.__version__)
    w("#include \"url/idna_tables.h\"\n\n")
    w("namespace riptide::url::idna_data {\n\n")
    w("const char kUnicodeVersion[] = \"%s\";\n\n" % uts46data.__version__)

    w("const MappingRange kMappingRanges[] = {\n")
    for start, st, value, length in ranges:
        w("    {0x%X, %d, %d, %d},\n" % (start, value, st, length))
    w("};\n")
    w("const size_t kMappingRangeCount = sizeof(kMappingRanges) / sizeof(kMappingRanges[0]);\n\n")

    w("const char32_t kMappingPool[] = {\n")
    for i in range(0, len(pool), 12):
        w("    " + ", ".join("0x%X" % c for c in pool[i:i + 12]) + ",\n")
    w("};\n\n")

    def emit_runs(name, rs):
        w("const ValueRange %s[] = {\n" % name)
        for s, e, v in rs:
            w("    {0x%X, 0x%X, %d},\n" % (s, e, int(v)))
        w("};\n")
        w("const size_t %sCount = sizeof(%s) / sizeof(%s[0]);\n\n" % (name, name, name))

    emit_runs("kCombiningClasses", ccc_runs)
    emit_runs("kBidiClasses", [(s, e, BIDI_CLASSES.index(v)) for s, e, v in bidi_runs])
    emit_runs("kMarks", mark_runs)
    emit_runs("kJoiningTypes", joining_runs)

    w("const Decomposition kDecompositions[] = {\n")
    for cp, a, b in decomp:
        w("    {0x%X, 0x%X, 0x%X},\n" % (cp, a, b))
    w("};\n")
    w("const size_t kDecompositionCount = sizeof(kDecompositions) / sizeof(kDecompositions[0]);\n\n")

    w("const Composition kCompositions[] = {\n")
    for a, b, cp in compose:
        w("    {0x%X, 0x%X, 0x%X},\n" % (a, b, cp))
    w("};\n")
    w("const size_t kCompositionCount = sizeof(kCompositions) / sizeof(kCompositions[0]);\n\n")
    w("}  // namespace riptide::url::idna_data\n")
    print("ranges=%d pool=%d ccc=%d bidi=%d marks=%d joining=%d decomp=%d compose=%d" % (
        len(ranges), len(pool), len(ccc_runs), len(bidi_runs), len(mark_runs), len(joining_runs),
        len(decomp), len(compose)), file=sys.stderr)


if __name__ == "__main__":
    main()
