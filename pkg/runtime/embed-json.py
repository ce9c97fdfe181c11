#!/usr/bin/env python3
# embed-json.py IN.json OUT.c SYMBOL: the JSON file as a C string, validated
# and compacted at build time (no runtime file lookup).
import json
import sys

src, out, symbol = sys.argv[1], sys.argv[2], sys.argv[3]
with open(src, encoding='utf-8') as f:
    text = json.dumps(json.load(f), separators=(',', ':'))
with open(out, 'w', encoding='utf-8') as f:
    f.write('/* Generated from %s by embed-json.py. */\n' % src.split('/')[-1])
    f.write('const char *%s (void);\n' % symbol)
    f.write('const char *\n%s (void)\n{\n  return\n' % symbol)
    for i in range(0, len(text), 100):
        chunk = text[i:i + 100].replace('\\', '\\\\').replace('"', '\\"')
        f.write('    "%s"\n' % chunk)
    f.write('    ;\n}\n')
