//! Fuzzes the Dockerfile parser (`src/docker/dockerfile.rs`) and the Dockerfile word expansion:
//! any bytes as a Dockerfile give instructions or one error sentence naming the line; every
//! instruction's words expand or fail with a sentence. A panic, a hang or runaway memory is a bug.
//! Run: `scripts/fuzz.sh SECONDS dockerfile` (or `cargo fuzz run -s none dockerfile` in `fuzz/`).
#![no_main]

use layerlab::docker::dockerfile::{expand, parse, Kind};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(df) = parse(text, "Dockerfile") else { return };
    let _ = df.steps();
    let env = |k: &str| if k == "A" { Some("1".to_string()) } else { None };
    for st in &df.stages {
        let _ = expand(&st.base, df.escape, &env);
        for ins in &st.commands {
            match &ins.kind {
                Kind::Env(p) | Kind::Label(p) => p.iter().for_each(|(k, v)| {
                    let _ = (expand(k, df.escape, &env), expand(v, df.escape, &env));
                }),
                Kind::Copy(c) | Kind::Add(c) => c.srcs.iter().chain([&c.dest]).for_each(|w| {
                    let _ = expand(w, df.escape, &env);
                }),
                Kind::Workdir(w) | Kind::User(w) | Kind::StopSignal(w) => {
                    let _ = expand(w, df.escape, &env);
                }
                _ => {}
            }
        }
    }
});
