#!/usr/bin/env python3
"""record.py -- the shared recorder, with top-level `docker inspect` allowed.

usage (root, Docker 20.10 as ../../../shared/docker-oracle/README.md says): the same
arguments as the shared record.py, e.g.
  python3 tests/docker-scenarios/record.py --out /tmp/rec tests/docker-scenarios/container-inspect

The shared recorder refuses `docker inspect` (it is outside its command subset; `docker
container inspect` and `docker image inspect` are in it). This wrapper imports it (not a
copy: the same registry, daemon, staging and normalization) and adds `inspect` to the
subset, so a scenario can type `docker inspect CONTAINER` as a learner does. Nothing else
changes: the object the CLI prints comes from the same daemon call (`ContainerInspect`).
"""
import os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ORACLE = os.path.join(HERE, '..', '..', '..', 'shared', 'docker-oracle')
sys.path.insert(0, os.path.abspath(ORACLE))
import record  # noqa: E402  the shared recorder

record.ALLOWED_DOCKER.add('inspect')

if __name__ == '__main__':
    record.main()
