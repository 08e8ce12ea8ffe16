#!/usr/bin/env python3
"""overlay_oracle_fd.py -- ../shared/oracle/overlay_oracle.py with `pwrite` (see
overlay_oracle_pwrite.py) and four ops on descriptors kept open across ops.

The shared oracle opens and closes a file within each op. These ops keep descriptors open
in the chroot'ed child that runs the ops, so a later op acts on a file opened earlier
(a shell's `exec 3<FILE`, `cat <&3`, `echo x >&3`):

  fd-open N MODE PATH   MODE is a shell redirection operator: `<` O_RDONLY, `>`
                        O_WRONLY|O_CREAT|O_TRUNC, `>>` O_WRONLY|O_CREAT|O_APPEND, `<>`
                        O_RDWR|O_CREAT (each | O_NONBLOCK|O_CLOEXEC, mode 0644). On success
                        the new file becomes descriptor N; one already open as N is closed
                        (dup2). N is 0 to 1023, a name for the descriptor (not the child's fd).
  fd-read N SIZE        one read(N, SIZE) at N's offset. Result `OK LEN ESCAPED-BYTES`,
                        `OK 0` at end of file.
  fd-write N TEXT       write(N, TEXT) in full (no call if TEXT is empty: OK even for an N
                        that is not open, as `write` opens nothing for an empty TEXT).
  fd-close N            close(N).

An N that is not open answers EBADF, as the kernel does for a closed descriptor. Everything
else is the shared oracle, unchanged (it is read-only to us). Same usage, root needed:

  sudo python3 tests/oracle/overlay_oracle_fd.py --record tests/scenarios/fd-*
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
import overlay_oracle_pwrite as opw  # noqa: E402

oo = opw.oo
MODES = {
    b'<': os.O_RDONLY,
    b'>': os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
    b'>>': os.O_WRONLY | os.O_CREAT | os.O_APPEND,
    b'<>': os.O_RDWR | os.O_CREAT,
}
oo.OPS['fd-open'] = ('size', 'text', 'path')
oo.OPS['fd-read'] = ('size', 'size')
oo.OPS['fd-write'] = ('size', 'text')
oo.OPS['fd-close'] = ('size',)
FDS = {}  # N -> the child's real descriptor
_execute = oo.execute


def _fd(n):
    if n not in FDS:
        raise OSError(9, 'EBADF')  # errno.EBADF
    return FDS[n]


def execute(op):
    name, _toks, a = op
    if not name.startswith('fd-'):
        return _execute(op)
    if a[0] > 1023 or (name == 'fd-open' and a[1] not in MODES):
        raise ValueError('bad fd op %r' % (op,))
    try:
        if name == 'fd-open':
            fd = os.open(a[2], MODES[a[1]] | oo._RFLAGS, 0o644)
            old = FDS.pop(a[0], None)
            if old is not None:
                os.close(old)
            FDS[a[0]] = fd
        elif name == 'fd-read':
            data = os.read(_fd(a[0]), a[1])
            return 'OK %d %s' % (len(data), oo.esc(data)) if data else 'OK 0'
        elif name == 'fd-write':
            if a[1]:
                oo._write_all(_fd(a[0]), a[1])
        elif name == 'fd-close':
            fd = _fd(a[0])
            del FDS[a[0]]
            os.close(fd)
    except OSError as e:
        return oo.errname(e.errno)
    return 'OK'


oo.execute = execute

if __name__ == '__main__':
    sys.exit(oo.main(sys.argv))
