#!/usr/bin/env python3
"""overlay_oracle_pwrite.py -- ../shared/oracle/overlay_oracle.py with one more OPS op.

`pwrite PATH OFFSET TEXT`: open(PATH, O_WRONLY|O_CREAT, 0644) (plus the oracle's
O_NONBLOCK|O_CLOEXEC), pwrite(fd, TEXT, OFFSET) in full (no call if TEXT is empty), close.
It writes at an offset without truncating: the case that shows block- versus file-level
copy-on-write. Everything else is the shared oracle, unchanged (it is read-only to us), so
the traces it records are the kernel's. Same usage, root needed:

  sudo python3 tests/oracle/overlay_oracle_pwrite.py --record tests/scenarios/pwrite-*
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get('LAYERLAB_SHARED') or os.path.join(HERE, '..', '..', '..', 'shared')
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(SHARED, 'oracle'))
import overlay_oracle as oo  # noqa: E402

oo.OPS['pwrite'] = ('path', 'size', 'text')
_execute = oo.execute


def execute(op):
    name, _toks, a = op
    if name != 'pwrite':
        return _execute(op)
    try:
        fd = os.open(a[0], os.O_WRONLY | os.O_CREAT | oo._RFLAGS, 0o644)
        try:
            data, off = a[2], a[1]
            while data:
                n = os.pwrite(fd, data, off)
                data, off = data[n:], off + n
        finally:
            os.close(fd)
    except OSError as e:
        return oo.errname(e.errno)
    return 'OK'


oo.execute = execute

if __name__ == '__main__':
    sys.exit(oo.main(sys.argv))
