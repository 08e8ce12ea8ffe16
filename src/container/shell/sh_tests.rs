//! The `sh` interpreter on the lines the docker oracle's Dockerfiles and scripts run
//! (`/work/shared/docker-oracle/scenarios/*/context*/Dockerfile*` and `*/script`), each with
//! the output and exit status its `expected.txt` shows for busybox 1.35 ash; then the shell's
//! grammar and limits, and a property test that arbitrary lines never panic and end.

use super::*;
use crate::container::Config;
use crate::tree::{Content, Kind, Node, Tree};
use crate::union::Stack;
use proptest::prelude::*;
use std::sync::Arc;

/// A busybox-like lower layer: /bin/busybox, /etc/passwd (root only), /data/payload.txt,
/// /app/deps.txt, /usr/local/bin/tool, /srv/site/index.html, /var/lib/app.
fn image() -> Container {
    let file = |data: &[u8], mode| Node::new(Kind::File(Content::Bytes(Arc::from(data))), mode, 0, 0);
    let mut t = Tree::new();
    t.insert_path(b"/bin/busybox", file(b"ELF", 0o755));
    t.insert_path(b"/etc/passwd", file(b"root:x:0:0:root:/root:/bin/sh\n", 0o644));
    t.insert_path(b"/etc/group", file(b"root:x:0:\n", 0o644));
    t.insert_path(b"/data/payload.txt", file(b"payload\n", 0o644));
    t.insert_path(b"/app/deps.txt", file(b"libfoo 1.2\nlibbar 3.4\n", 0o644));
    t.insert_path(b"/usr/local/bin/tool", file(b"echo tool\n", 0o644));
    t.insert_path(b"/srv/site/index.html", file(b"<h1>hi</h1>\n", 0o644));
    t.insert_path(b"/srv/archive/site.tar", file(&[0u8; 1024], 0o644));
    t.insert_path(b"/var/lib/app", Node::dir(0o755, 0, 0));
    t.insert_path(b"/srv/app/app.conf", file(b"mode=production\n", 0o644));
    Container::new(Stack::new(vec![Arc::new(t)]), Config::Default)
}

fn bb(c: &mut Container, script: &str) -> Run {
    run_script(c, script, Flavor::Busybox)
}

fn out(r: &Run) -> Vec<&str> {
    r.output.iter().map(String::as_str).collect()
}

#[test]
fn while_read_loop_writes_a_file_per_line() {
    let mut c = image();
    let r = bb(&mut c, r#"mkdir /app/lib && while read name version; do echo "$name $version installed" > /app/lib/$name; done < /app/deps.txt"#);
    assert_eq!((out(&r), r.status), (vec![], 0));
    assert_eq!(c.read_file(b"/app/lib/libfoo").unwrap(), b"libfoo 1.2 installed\n");
    assert_eq!(c.read_file(b"/app/lib/libbar").unwrap(), b"libbar 3.4 installed\n");
    // 21 + 21 bytes: the layer's 42B in build-cache-copy's history.
    assert_eq!(c.upper_listing().unwrap().iter().filter(|l| l.contains("/app/lib/")).count(), 2);
}

#[test]
fn toolchain_lines_make_a_three_megabyte_file_quickly() {
    let mut c = image();
    let t = std::time::Instant::now();
    let r = bb(&mut c, "mkdir -p /toolchain /src /out && head -c 3000000 /dev/zero > /toolchain/compiler.bin && echo 'int main() { return 0; }' > /src/main.c");
    assert_eq!((out(&r), r.status), (vec![], 0));
    let r = bb(&mut c, "cat /src/main.c > /out/app && echo '# built with the 3 MB toolchain' >> /out/app");
    assert_eq!((out(&r), r.status), (vec![], 0));
    assert!(t.elapsed().as_secs() < 5, "{:?}", t.elapsed());
    assert_eq!(bb(&mut c, "stat -c '%n %s' /toolchain/compiler.bin").output, ["/toolchain/compiler.bin 3000000"]);
    assert_eq!(c.read_file(b"/out/app").unwrap(), b"int main() { return 0; }\n# built with the 3 MB toolchain\n");
}

#[test]
fn variables_from_the_environment_and_unset_ones_are_empty() {
    let mut c = image();
    let mut env = ShellEnv::from_config(&["APP=demo".into()], None, None);
    let r = run_script_in(&mut c, r#"echo "building $APP $VERSION" > /app/build-info.txt"#, &mut env, Flavor::Busybox);
    assert_eq!(r.status, 0);
    assert_eq!(c.read_file(b"/app/build-info.txt").unwrap(), b"building demo \n");
    let r = bb(&mut c, r#"echo "after: [$GREETING]"; GREETING=hi; echo "now: [$GREETING]" ${NOPE:-dflt} ${#GREETING}"#);
    assert_eq!(out(&r), ["after: []", "now: [hi] dflt 2"]);
}

#[test]
fn stderr_then_a_failing_ls_and_exit_statuses() {
    let mut c = image();
    let r = bb(&mut c, "echo 'about to fail' >&2 && ls /missing");
    assert_eq!((out(&r), r.status), (vec!["about to fail", "ls: /missing: No such file or directory"], 1));
    let r = bb(&mut c, "echo start && exit 3");
    assert_eq!((out(&r), r.status), (vec!["start"], 3));
    let r = bb(&mut c, "echo never reached; exit 0; echo no");
    assert_eq!((out(&r), r.status), (vec!["never reached"], 0));
}

#[test]
fn one_command_run_lines() {
    let mut c = image();
    assert_eq!(bb(&mut c, "true").status, 0);
    let r = bb(&mut c, "chmod +x /usr/local/bin/tool");
    assert_eq!(r.status, 0, "{:?}", r.output);
    assert_eq!(bb(&mut c, "stat -c '%n %s %a' /usr/local/bin/tool").output, ["/usr/local/bin/tool 10 755"]);
    let r = bb(&mut c, "rm /data/payload.txt");
    assert_eq!(r.status, 0);
    assert!(r.events.iter().any(|e| matches!(e, Event::Whiteout { .. })), "{:?}", r.events);
}

#[test]
fn cd_find_sort_and_stat_relative_paths() {
    let mut c = image();
    let r = bb(&mut c, "cd /srv && find . | sort && stat -c '%n %s %a' site/index.html archive/site.tar");
    assert_eq!(
        out(&r),
        [".", "./app", "./app/app.conf", "./archive", "./archive/site.tar", "./site", "./site/index.html", "site/index.html 12 644", "archive/site.tar 1024 644"]
    );
    assert_eq!(r.status, 0);
    let r = bb(&mut c, "cd /nope; echo $?; pwd");
    assert_eq!(out(&r), ["sh: cd: can't cd to /nope: No such file or directory", "2", "/"]);
    // find prints with stdio (buffered on a pipe), its error goes out at once: first
    assert_eq!(out(&bb(&mut c, "find /srv/site /nope -type f")), ["find: /nope: No such file or directory", "/srv/site/index.html"]);
}

#[test]
fn entrypoint_cmd_with_substitutions_user_and_workdir() {
    let mut c = image();
    let cfg_env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string(), "APP_HOME=/srv/app".into(), "APP_MODE=production".into()];
    let mut env = ShellEnv::from_config(&cfg_env, Some("/var/lib/app"), Some("1000"));
    let r = run_script_in(&mut c, "echo uid $(id -u) in $(pwd), mode $APP_MODE", &mut env, Flavor::Busybox);
    assert_eq!((out(&r), r.status), (vec!["uid 1000 in /var/lib/app, mode production"], 0));
    let mut env = ShellEnv::from_config(&cfg_env, Some("/var/lib/app"), Some("1000"));
    let r = run_script_in(&mut c, r#"stat -c "%n %u %a" /var/lib/app /srv/app; cat app.conf 2>&1; echo $APP_HOME"#, &mut env, Flavor::Busybox);
    assert_eq!(out(&r), ["/var/lib/app 0 755", "/srv/app 0 755", "cat: can't open 'app.conf': No such file or directory", "/srv/app"]);
    assert_eq!(r.status, 0);
    let r = bb(&mut c, "id; id -u; id -un; id -g");
    assert_eq!(out(&r), ["uid=0(root) gid=0(root) groups=0(root)", "0", "root", "0"]);
}

#[test]
fn redirections_of_stderr() {
    let mut c = image();
    let r = bb(&mut c, "ls /toolchain /src 2>&1; ls /usr/local/bin");
    assert_eq!(out(&r), ["ls: /toolchain: No such file or directory", "ls: /src: No such file or directory", "tool"]);
    let r = bb(&mut c, "ls /nope 2>/dev/null; echo $?; ls /nope 2>&1 | wc -l; cat /nope 2>/tmp-err; cat /tmp-err");
    assert_eq!(out(&r), ["1", "1", "cat: can't open '/nope': No such file or directory"]);
    let r = bb(&mut c, "echo v2 > /data/version; echo A=$A");
    assert_eq!(out(&r), ["A="]);
    assert_eq!(c.read_file(b"/data/version").unwrap(), b"v2\n");
    let r = bb(&mut c, "echo x > /no/such/file; echo $?; echo y > /data");
    assert_eq!(out(&r), ["sh: can't create /no/such/file: nonexistent directory", "1", "sh: can't create /data: Is a directory"]);
    assert_eq!(r.status, 1);
    let r = bb(&mut c, "cat < /nope");
    assert_eq!((out(&r), r.status), (vec!["sh: can't open /nope: no such file"], 1));
}

#[test]
fn bad_json_cmd_is_a_shell_line_that_finds_no_command() {
    let mut c = image();
    let mut env = ShellEnv { name: "/bin/sh".into(), ..ShellEnv::default() };
    let r = run_script_in(&mut c, r#"["echo", "hello""#, &mut env, Flavor::Busybox);
    assert_eq!((out(&r), r.status), (vec!["/bin/sh: [echo,: not found"], 127));
}

#[test]
fn syntax_errors_exit_2_in_one_sentence() {
    let mut c = image();
    for (s, want) in [
        ("while true; do", "sh: syntax error: unexpected end of file (expecting \"done\")"),
        ("echo 'open", "sh: syntax error: unterminated quoted string"),
        ("fi", "sh: syntax error: unexpected \"fi\""),
        ("echo a &&", "sh: syntax error: unexpected end of file"),
    ] {
        let r = bb(&mut c, s);
        assert_eq!((out(&r), r.status), (vec![want], 2), "{s}");
    }
}

#[test]
fn endless_loops_stop_with_a_sentence() {
    let mut c = image();
    let t = std::time::Instant::now();
    let r = bb(&mut c, "while true; do :; done");
    assert_eq!(r.status, 124);
    assert_eq!(out(&r), [format!("sh: stopped after {MAX_STEPS} commands (layerlab runs no more per script)").as_str()]);
    let r = bb(&mut c, "while :; do echo 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef; done");
    assert_eq!(r.status, 124);
    assert!(r.output.len() < 70_000, "{}", r.output.len());
    assert_eq!(r.output[r.output.len() - 2], format!("… (output past {MAX_TERM} bytes not shown)"));
    assert!(r.output.last().unwrap().contains("stopped after"));
    // A read loop over a big input copies no more than each line per command.
    bb(&mut c, "seq 200000 > /big");
    let r = bb(&mut c, "n=0; while read l; do n=$l; done < /big; echo $n");
    assert_eq!(r.status, 124, "{:?}", r.output);
    let r = bb(&mut c, "X=a; while :; do X=$X$X; done");
    assert_eq!(r.status, 124, "{:?}", r.output);
    assert!(t.elapsed().as_secs() < 20, "{:?}", t.elapsed());
}

#[test]
fn compound_commands_pipes_and_expansion() {
    let mut c = image();
    let r = bb(
        &mut c,
        "for f in a 'b c' d; do echo \"[$f]\"; done; if false; then echo no; elif [ -f /data/payload.txt ]; then echo yes; else echo no; fi",
    );
    assert_eq!(out(&r), ["[a]", "[b c]", "[d]", "yes"]);
    let r = bb(&mut c, "X='1  2   3'; for w in $X; do echo $w; done; echo \"$X\"");
    assert_eq!(out(&r), ["1", "2", "3", "1  2   3"]);
    let r = bb(&mut c, "case /srv/x.txt in *.md) echo md;; *.txt|*.text) echo text;; esac");
    assert_eq!(out(&r), ["text"]);
    let r = bb(&mut c, "(cd /srv; X=1; pwd); pwd; echo x$X; { echo a; echo b; } > /ab; cat /ab | sort -r");
    assert_eq!(out(&r), ["/srv", "/", "x", "b", "a"]);
    let r = bb(&mut c, "echo `echo back` $(echo $(echo nested)); ! false && echo negated; false || echo or");
    assert_eq!(out(&r), ["back nested", "negated", "or"]);
    let r = bb(&mut c, "printf 'AB' | dd of=/data/payload.txt bs=1 seek=2 conv=notrunc 2>/dev/null; cat /data/payload.txt");
    assert_eq!(out(&r), ["paABoad"]);
    let r = bb(&mut c, "i=0; while [ $i != xxx ]; do i=${i}x; [ $i = 0xx ] && break; done; echo $i");
    assert_eq!(out(&r), ["0xx"]);
    let r = bb(&mut c, "set -e; echo one; false; echo two");
    assert_eq!((out(&r), r.status), (vec!["one"], 1));
    let r = bb(&mut c, "echo hi | read v; echo \"[$v]\"; read w < /app/deps.txt; echo $w");
    assert_eq!(out(&r), ["[]", "libfoo 1.2"]);
}

#[test]
fn globs_printf_and_prefix_assignments() {
    let mut c = image();
    let r = bb(&mut c, "cd /srv; echo */*.html /srv/a* '*' nomatch*; ls -d /app/*.txt; rm -r /srv/*; ls /srv | wc -l");
    assert_eq!(out(&r), ["site/index.html /srv/app /srv/archive * nomatch*", "/app/deps.txt", "0"]);
    let r = bb(&mut c, r"printf '%s=%d|%-4s|%03d\n' a 7 b 5 c 6; printf 'no newline'; printf '\n%b\n' 'x\ty'");
    assert_eq!(out(&r), ["a=7|b   |005", "c=6|    |000", "no newline", "x\ty"]);
    let r = bb(&mut c, r#"sh -c 'for a in "$@"; do echo "[$a]"; done; echo $# $0' zero 'a b' '' c; set -- x y; echo "$@" $1"#);
    assert_eq!(out(&r), ["[a b]", "[]", "[c]", "3 zero", "x y x"]);
    let r = bb(&mut c, "F=/a/b/c.tar.gz; echo ${F##*/} ${F#*/} ${F%.*} ${F%%.*} ${F%\"*\"} ${F#nomatch}");
    assert_eq!(out(&r), ["c.tar.gz a/b/c.tar.gz /a/b/c.tar /a/b/c /a/b/c.tar.gz /a/b/c.tar.gz"]);
    let r = bb(&mut c, "X=1 sh -c 'echo in:$X'; echo out:$X; Y=2 export Z=3; echo $Y$Z");
    assert_eq!(out(&r), ["in:1", "out:", "23"]);
}

#[test]
fn scripts_in_path_run_in_a_subshell() {
    let mut c = image();
    // Not executable yet: ash's 126.
    let r = bb(&mut c, "tool");
    assert_eq!((out(&r), r.status), (vec!["sh: tool: Permission denied"], 126));
    bb(&mut c, "chmod +x /usr/local/bin/tool; printf '#!/bin/sh\\necho \"$0 got $1\"; exit 4\\n' > /bin/greet; chmod 755 /bin/greet");
    let r = bb(&mut c, "tool; greet one; echo $?; /bin/greet two; busybox echo via busybox");
    assert_eq!(out(&r), ["tool", "greet got one", "4", "/bin/greet got two", "via busybox"]);
    // A script that runs itself stops at the nesting limit, in one sentence.
    let r = bb(&mut c, "echo 'echo x >> /n; loop' > /bin/loop; chmod +x /bin/loop; loop");
    assert_eq!(r.status, 124);
    assert_eq!(out(&r), [format!("loop: stopped: commands nested more than {MAX_NEST} deep (layerlab's limit)").as_str()]);
    let r = bb(&mut c, "nosuch; ./nosuch");
    assert_eq!(out(&r), ["sh: nosuch: not found", "sh: ./nosuch: not found"]);
}

#[test]
fn head_and_tail_by_lines_and_bytes() {
    let mut c = image();
    bb(&mut c, "printf '1\\n2\\n3\\n4\\n' > /f");
    let r = bb(&mut c, "head -n 2 /f; tail -n 1 /f; tail -2 /f | head -1; head -c 3 /f | wc -c; cat /f | tail -n 3 | head -n1; head -n 0 /f");
    assert_eq!(out(&r), ["1", "2", "4", "3", "3", "2"]);
}

#[test]
fn writes_go_through_ops_with_events() {
    let mut c = image();
    let r = bb(&mut c, "echo more >> /data/payload.txt; cd /data && rm payload.txt");
    assert!(r.events.iter().any(|e| matches!(e, Event::CopyUp { path, .. } if path == b"/data/payload.txt")), "{:?}", r.events);
    assert!(r.events.iter().any(|e| matches!(e, Event::Whiteout { path, .. } if path == b"/data/payload.txt")), "{:?}", r.events);
    assert!(r.changed);
}

const WORDS: &[&str] = &[
    "echo", "cat", "ls", "rm -rf", "/srv", "x", "while", "true;", "do", "done", "if", "then", "fi", "for", "in", "case", "esac", ";;", ")", "(", "{", "}", "|", "||", "&&", ";", "&", "\n", ">", ">>", "<", "2>&1", ">&2", "'", "\"", "\\", "$", "$(", "`", "${X:-", "$?", "X=1", "read", "exit", "break", "cd", "find", "sort", "head -c 9", "/dev/zero", "eval", "sh -c", ":", "#", "!",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]
    /// Any line (made of shell syntax and a few commands) parses or fails in one sentence,
    /// never panics, and ends within the limits.
    #[test]
    fn arbitrary_lines_never_panic_and_end(parts in proptest::collection::vec(prop_oneof![
        proptest::sample::select(WORDS).prop_map(str::to_string),
        "[ -~]{0,6}",
    ], 0..24)) {
        let line = parts.join(" ");
        let mut c = image();
        let r = run_script(&mut c, &line, Flavor::Busybox);
        prop_assert!(r.status >= 0 && r.status <= 255, "{line}: {}", r.status);
        if r.status == 2 && r.output.len() == 1 {
            prop_assert!(!r.output[0].is_empty());
        }
        let r = run_script(&mut c, &line, Flavor::Coreutils);
        prop_assert!(r.status <= 255);
    }
}

/// A non-root user meets the kernel's permission checks (`generic_permission`, `may_create`,
/// `may_delete`, owner checks), worded as busybox words the errors; what it creates is its own.
#[test]
fn a_non_root_user_meets_the_kernels_permission_checks() {
    let mut c = image();
    let as_root = bb(&mut c, "mkdir -p /home/app /tmp && chown 1000:1000 /home/app && chmod 1777 /tmp && echo secret > /srv/key && chmod 600 /srv/key && echo mine > /tmp/rootfile");
    assert_eq!((out(&as_root), as_root.status), (vec![], 0));
    let mut env = ShellEnv::from_config(&[], Some("/"), Some("1000:1000"));
    let r = run_script_in(
        &mut c,
        "touch /srv/x; mkdir /srv/d; rm /srv/site/index.html; cat /srv/key; chmod 777 /srv/site; chown 1000 /srv/site; \
         echo hi > /home/app/f && stat -c '%u:%g %a' /home/app/f; rm /tmp/rootfile; echo ok > /tmp/own && rm /tmp/own && echo removed",
        &mut env,
        Flavor::Busybox,
    );
    assert_eq!(
        out(&r),
        [
            "touch: /srv/x: Permission denied",
            "mkdir: can't create directory '/srv/d': Permission denied",
            "rm: can't remove '/srv/site/index.html': Permission denied",
            "cat: can't open '/srv/key': Permission denied",
            "chmod: /srv/site: Operation not permitted",
            "chown: /srv/site: Operation not permitted",
            "1000:1000 644",
            "rm: can't remove '/tmp/rootfile': Operation not permitted",
            "removed",
        ]
    );
    // root is not checked, and nothing the user was refused happened
    let r = bb(&mut c, "cat /srv/key; ls /srv /tmp");
    assert_eq!(out(&r), ["secret", "/srv:", "app", "archive", "key", "site", "", "/tmp:", "rootfile"]);
}
