#!/usr/bin/env python3
"""difffuzz.py -- differential fuzzing of `layerlab trace` against the real kernel overlayfs.

Generates random layer stacks and OPS scripts (like the oracle's random scenarios, plus odd
paths: `..`, `//`, trailing slashes, symlink chains), records the kernel trace with
shared/oracle/overlay_oracle.py (root + overlayfs needed) and compares it with the simulator.
Mismatching scenarios are saved under OUT/NAME/ in the oracle layout (layers/, ops,
expected.*.txt) so they can be added to tests/scenarios.

usage: difffuzz.py --bin target/release/layerlab --out /tmp/fuzzfail [--seeds 1-200] [--ops 25]
"""
import argparse, io, os, random, shutil, subprocess, sys, tarfile, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ORACLE = os.environ.get('ORACLE', os.path.join(HERE, '../../shared/oracle/overlay_oracle.py'))
NAMES = ['a', 'b', 'c', 'd1', 'd2', 'etc', 'lib', 'sub', 'var', 'x', 'y', 'z', 'f1', 'f2']
CONFIGS = ['default', 'redirect', 'metacopy']


def gen_layers(rng, nlayers):
    layers = []
    paths = {}      # path -> kind, across layers (approximate view)
    lower_dirs = set()
    for li in range(nlayers):
        lower_dirs |= {p for p, k in paths.items() if k == 'dir'}
        entries = []
        seen = set()
        def add_dir(p):
            parts = p.split('/')
            for i in range(1, len(parts) + 1):
                q = '/'.join(parts[:i])
                if q not in seen:
                    seen.add(q)
                    entries.append(('dir', q, rng.choice([0o755, 0o700, 0o775, 0o1777, 0o2755, 0o750]),
                                    rng.choice([(0, 0), (33, 33), (0, 50), (1000, 1000)])))
                    paths[q] = 'dir'
        tops = rng.sample(NAMES[:9], 3)
        n = rng.randint(6, 30) if li == 0 else rng.randint(2, 12)
        dirs = []
        for t in tops:
            add_dir(t)
            dirs.append(t)
        for _ in range(n):
            parent = rng.choice(dirs)
            name = rng.choice(NAMES)
            p = parent + '/' + name
            if p in seen:
                continue
            r = rng.random()
            if r < 0.25 and p.count('/') < 4:
                add_dir(p)
                dirs.append(p)
                continue
            seen.add(p)
            own = rng.choice([(0, 0), (0, 0), (33, 33), (1000, 1000), (0, 50)])
            # A whiteout only in a dir that a lower layer has too: a dir from one layer alone is
            # read directly by the kernel, whiteouts included, and the oracle cannot list it.
            if li > 0 and r < 0.45 and parent not in lower_dirs:
                continue
            if li > 0 and r < 0.40:
                entries.append(('wh', parent + '/.wh.' + name, 0, own))
                continue
            if li > 0 and r < 0.45:
                entries.append(('opq', parent + '/.wh..wh..opq', 0, own))
                continue
            if r < 0.60:
                tgt = rng.choice(['../' + rng.choice(NAMES), rng.choice(NAMES), '/' + rng.choice(dirs) + '/' + rng.choice(NAMES),
                                  '/' + rng.choice(dirs), 'missing-' + name, p.rsplit('/', 1)[1]])
                entries.append(('sym', p, tgt, own))
            elif r < 0.68:
                files = [e[1] for e in entries if e[0] == 'file']
                if files:
                    entries.append(('hard', p, rng.choice(files), own))
                else:
                    entries.append(('file', p, rng.choice([0o644, 0o600]), own))
            elif r < 0.70:
                entries.append(('fifo', p, 0o644, own))
            else:
                entries.append(('file', p, rng.choice([0o644, 0o600, 0o755, 0o444, 0o4755, 0o640]), own))
        layers.append(entries)
    return layers


def write_tar(entries, path, rng):
    with tarfile.open(path, 'w', format=tarfile.PAX_FORMAT) as tf:
        for kind, p, extra, (uid, gid) in entries:
            ti = tarfile.TarInfo(p)
            ti.uid, ti.gid, ti.mtime = uid, gid, 1500000000
            data = None
            if kind == 'dir':
                ti.type = tarfile.DIRTYPE; ti.mode = extra
            elif kind == 'file':
                ti.type = tarfile.REGTYPE; ti.mode = extra
                data = bytes(rng.choice(b'abcdefgh\n') for _ in range(rng.randint(0, 40)))
                ti.size = len(data)
            elif kind == 'sym':
                ti.type = tarfile.SYMTYPE; ti.linkname = extra; ti.mode = 0o777
            elif kind == 'hard':
                ti.type = tarfile.LNKTYPE; ti.linkname = extra; ti.mode = 0o644
            elif kind == 'fifo':
                ti.type = tarfile.FIFOTYPE; ti.mode = extra
            elif kind in ('wh', 'opq'):
                ti.type = tarfile.REGTYPE; ti.mode = 0o644; data = b''
            tf.addfile(ti, io.BytesIO(data) if data is not None else None)


def all_paths(layers):
    s = set()
    for entries in layers:
        for kind, p, _, _ in entries:
            if kind in ('wh',):
                p = p.replace('.wh.', '')
            if kind == 'opq':
                p = p.rsplit('/', 1)[0]
            s.add('/' + p)
    return sorted(s)


OPMIX = ['write', 'append', 'create-excl', 'open-rw', 'read', 'truncate', 'touch', 'mkdir',
         'rmdir', 'unlink', 'rename', 'rename', 'mv', 'rm-r', 'link', 'symlink', 'chmod',
         'chown', 'readlink', 'stat', 'ls']
RENAME_HEAVY = ['rename'] * 6 + ['mv'] * 3 + ['link'] * 2 + ['mkdir'] * 2 + ['ls'] * 2 + [
    'rmdir', 'unlink', 'rm-r', 'chmod', 'chown', 'append', 'write', 'read', 'stat', 'touch', 'truncate']


def q(tok):
    """Canonical OPS token for a str path (surrogate-escaped bytes allowed)."""
    b = tok.encode('utf-8', 'surrogateescape')
    if b and not b.startswith(b'#') and all(0x21 <= c <= 0x7e and c not in (0x22, 0x5c) for c in b):
        return tok
    out = '"'
    for c in b:
        out += {0x5c: '\\\\', 0x22: '\\"', 0x0a: '\\n', 0x09: '\\t'}.get(c) or (chr(c) if 0x20 <= c <= 0x7e else '\\x%02x' % c)
    return out + '"'


def gen_ops(rng, layers, nops):
    paths = all_paths(layers)
    created = []
    def path():
        r = rng.random()
        base = rng.choice(paths + created) if (paths or created) else '/x'
        if r < 0.15:
            base = base.rsplit('/', 1)[0] + '/' + rng.choice(NAMES) if base.count('/') > 1 else '/' + rng.choice(NAMES)
        elif r < 0.22:
            base = base + '/' + rng.choice(NAMES)
        elif r < 0.26:
            base = base + '/'
        elif r < 0.29:
            parts = base.split('/')
            if len(parts) > 2:
                base = '/'.join(parts[:-1]) + '/../' + parts[-2] + '/' + parts[-1]
        elif r < 0.31:
            base = base.replace('/', '//', 1)
        elif r < 0.33:
            base = base + '/.'
        return base
    def newp():
        p = path()
        created.append(p.rstrip('/') or '/')
        return p
    ops = []
    for _ in range(nops):
        op = rng.choice(OPMIX)
        text = rng.choice(['x', 'hello', '""', '"line1\\nline2\\n"', 'abcabcabcabcabc'])
        if op in ('write', 'append', 'create-excl'):
            toks = [op, q(newp()), text]
        elif op in ('open-rw', 'read', 'touch', 'rmdir', 'unlink', 'rm-r', 'readlink', 'stat', 'ls'):
            toks = [op, q(path())]
        elif op == 'mkdir':
            toks = [op, q(newp())]
        elif op == 'truncate':
            toks = [op, q(path()), str(rng.choice([0, 1, 3, 100]))]
        elif op in ('rename', 'mv', 'link'):
            a = path()
            toks = [op, q(a), q(newp())]
        elif op == 'symlink':
            toks = [op, q(rng.choice(['x', '../' + rng.choice(NAMES), rng.choice(paths or ['/']), 'dangling-a', '.'])), q(newp())]
        elif op == 'chmod':
            toks = [op, rng.choice(['644', '600', '755', '4755', '1777', '2755', '444']), q(path())]
        else:
            toks = [op, rng.choice(['0:0', '1:2', '33:33', '1000:1000']), q(path())]
        ops.append(' '.join(toks))
    return ops


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bin', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--seeds', default='1-100')
    ap.add_argument('--ops', type=int, default=25)
    ap.add_argument('--rename-heavy', action='store_true', help='mostly rename/mv/link/mkdir')
    ap.add_argument('--bases', nargs='*', default=[],
                    help='scenario dirs whose layers/ are reused (random ops over real bases)')
    a = ap.parse_args()
    lo, hi = (int(x) for x in a.seeds.split('-'))
    if a.rename_heavy:
        global OPMIX
        OPMIX = RENAME_HEAVY
    os.makedirs(a.out, exist_ok=True)
    nfail = 0
    for seed in range(lo, hi + 1):
        rng = random.Random(seed)
        d = tempfile.mkdtemp(prefix='difffuzz.')
        if a.bases:
            base = a.bases[seed % len(a.bases)]
            shutil.copytree(os.path.join(base, 'layers'), d + '/layers')
            layers = []
            for t in sorted(os.listdir(d + '/layers')):
                with tarfile.open(os.path.join(d, 'layers', t)) as tf:
                    ents = []
                    for m in tf:
                        n = m.name[2:] if m.name.startswith('./') else m.name
                        n = n.strip('/')
                        if not n:
                            continue
                        b = n.rsplit('/', 1)[-1]
                        if b == '.wh..wh..opq':
                            ents.append(('opq', n, 0, (0, 0)))
                        elif b.startswith('.wh.'):
                            ents.append(('wh', n, 0, (0, 0)))
                        else:
                            ents.append(('file', n, 0, (0, 0)))
                    layers.append(ents)
        else:
            layers = gen_layers(rng, rng.randint(1, 4))
            os.makedirs(d + '/layers')
            for i, e in enumerate(layers):
                write_tar(e, '%s/layers/%d.tar' % (d, i), rng)
        ops = gen_ops(rng, layers, a.ops)
        with open(d + '/ops', 'w', encoding='utf-8', errors='surrogateescape') as f:
            f.write('# fuzz seed %d\n' % seed + '\n'.join(ops) + '\n')
        bad = []
        for c in CONFIGS:
            k = run([sys.executable, ORACLE, '--layers-dir', d + '/layers', '--ops', d + '/ops', '--config', c])
            if k.returncode != 0:
                print('seed %d [%s]: oracle failed: %s' % (seed, c, k.stderr.decode()[-300:]))
                bad = None
                break
            with open('%s/expected.%s.txt' % (d, c), 'wb') as f:
                f.write(k.stdout)
            s = run([a.bin, 'trace', '--layers-dir', d + '/layers', '--ops', d + '/ops', '--config', c])
            if s.stdout != k.stdout:
                bad.append(c)
        if bad:
            nfail += 1
            dest = os.path.join(a.out, 'fuzz-%04d' % seed)
            shutil.rmtree(dest, ignore_errors=True)
            shutil.copytree(d, dest)
            print('seed %d: MISMATCH %s -> %s' % (seed, ','.join(bad), dest), flush=True)
        else:
            print('seed %d: ok' % seed, flush=True)
        shutil.rmtree(d, ignore_errors=True)
    print('done: %d mismatching of %d' % (nfail, hi - lo + 1))


if __name__ == '__main__':
    main()
