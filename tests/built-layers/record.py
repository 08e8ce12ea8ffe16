#!/usr/bin/env python3
"""record.py -- what a real Docker's classic builder puts in each layer, entry by entry.

usage (root, Docker 20.10 as ../../../shared/docker-oracle/README.md says):
  python3 tests/built-layers/record.py SCENARIO_DIR... [--out DIR]

Runs each docker-oracle scenario exactly as the shared recorder does (it is imported,
not copied: the same fresh registry, daemon and staged contexts), and after every
`docker build ... -t TAG` that succeeds saves TAG with `docker save` and writes every
layer of the image, in manifest order, as one line per tar entry (format below) into
DIR/NAME.txt (default: this directory). `tests/built_layers.rs` builds the same
Dockerfiles with layerlab and compares its saved layers with these listings.

Listing: `## build K TAG` (K counts successful tagged builds in the script), then per
layer `# layer I DIFFID` (with ` (as above)` and no entries when that exact layer was
listed before in the file), then per entry, in tar order:
  TYPE MODE UID/GID SIZE MTIME SHA256-12 NAME [-> TARGET] [XATTR=VALUE ...]
TYPE is `tar -tv`'s letter (- d l h c b p); MTIME is UTC `YYYY-mm-ddTHH:MM:SS`, or
`<time>` from 2023 on (a time of the build run, not reproducible); SHA256-12 is the
first 12 hex of the content's sha256 (`-` for non-files); DIFFID is the layer's
sha256, or `<diff>` when an entry has a `<time>` mtime.
"""
import hashlib, io, json, os, sys, tarfile, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ORACLE = os.path.join(HERE, '..', '..', '..', 'shared', 'docker-oracle')
sys.path.insert(0, os.path.abspath(ORACLE))
import record  # noqa: E402  the shared recorder

RUN_EPOCH = 1672531200        # 2023-01-01T00:00:00Z: mtimes from here on are the run's own
TYPES = {tarfile.REGTYPE: '-', tarfile.AREGTYPE: '-', tarfile.DIRTYPE: 'd', tarfile.SYMTYPE: 'l',
         tarfile.LNKTYPE: 'h', tarfile.CHRTYPE: 'c', tarfile.BLKTYPE: 'b', tarfile.FIFOTYPE: 'p'}


def listing(layer_bytes):
    """The entry lines of one layer tar, and whether any mtime was the run's own."""
    lines, run_time = [], False
    with tarfile.open(fileobj=io.BytesIO(layer_bytes), mode='r:') as t:
        for m in t:
            if m.mtime >= RUN_EPOCH:
                mt, run_time = '<time>', True
            else:
                mt = time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(m.mtime))
            h = '-'
            if m.isreg():
                h = hashlib.sha256(t.extractfile(m).read()).hexdigest()[:12]
            line = '%s %04o %d/%d %d %s %s %s' % (TYPES.get(m.type, '?'), m.mode, m.uid, m.gid,
                                                m.size, mt, h, m.name)
            if m.issym() or m.islnk():
                line += ' -> ' + m.linkname
            for k in sorted(m.pax_headers):
                if k.startswith('SCHILY.xattr.'):
                    line += ' %s=%s' % (k[len('SCHILY.xattr.'):], m.pax_headers[k].encode().hex())
            lines.append(line)
    return lines, run_time


def image_listing(archive, seen):
    """The lines of a saved image; a layer listed before (same diff ID) gets its header only."""
    out = []
    with tarfile.open(archive) as t:
        man = json.load(t.extractfile('manifest.json'))[0]
        for i, name in enumerate(man['Layers']):
            data = t.extractfile(name).read()
            lines, run_time = listing(data)
            diff = '<diff>' if run_time else 'sha256:' + hashlib.sha256(data).hexdigest()
            if diff in seen:
                out.append('# layer %d %s (as above)\n' % (i, diff))
                continue
            if diff != '<diff>':
                seen.add(diff)
            out.append('# layer %d %s\n' % (i, diff))
            out.extend(l + '\n' for l in lines)
    return out


class LayerRecorder(record.Recorder):
    def record(self, scen_dir, built):
        self.listing, self.nbuild, self.seen = [], 0, set()
        self.work_scen = os.path.join(os.path.abspath(scen_dir), 'script')
        return super().record(scen_dir, built)

    def _learn_build(self, d, norm, out, det):
        super()._learn_build(d, norm, out, det)
        tags = [l.split(' ', 2)[2] for l in out.split('\n') if l.startswith('Successfully tagged ')]
        if not tags:
            return
        self.nbuild += 1
        with tempfile.TemporaryDirectory(dir=record.WORK_BASE) as tmp:
            path = os.path.join(tmp, 'built.tar')
            d.docker('save', '-o', path, tags[0])
            self.listing.append('## build %d %s\n' % (self.nbuild, tags[0]))
            self.listing.extend(image_listing(path, self.seen))
            if os.environ.get('KEEP_SAVED'):      # to look at Docker's bytes
                import shutil
                shutil.copy(path, os.path.join(os.environ['KEEP_SAVED'], '%s-%d.tar' % (
                    os.path.basename(os.path.dirname(self.work_scen)), self.nbuild)))


def main():
    args = sys.argv[1:]
    out = HERE
    if '--out' in args:
        i = args.index('--out')
        out = args[i + 1]
        del args[i:i + 2]
    if os.geteuid() != 0:
        sys.exit('record.py: needs root (dockerd, mount, losetup)')
    os.makedirs(record.WORK_BASE, exist_ok=True)
    built = tempfile.mkdtemp(prefix='images.', dir=record.WORK_BASE)
    try:
        record.build_images(built)
        rec = LayerRecorder('/usr/bin/docker', False)
        for sdir in args:
            name = os.path.basename(os.path.abspath(sdir))
            rec.record(sdir, built)
            with open(os.path.join(out, name + '.txt'), 'w') as f:
                f.write('# %s: the layers Docker 20.10 built (tests/built-layers/record.py)\n' % name)
                f.writelines(rec.listing)
            print('recorded', name, rec.nbuild, 'builds', flush=True)
    finally:
        import shutil
        shutil.rmtree(built, ignore_errors=True)


if __name__ == '__main__':
    main()
