//! Issue 13: dive's numbers on dive's own test image, the exact figure on `layered`.

use std::process::Command;

fn run(args: &[&str]) -> (i32, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_layerlab")).args(args).output().unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into_owned())
}

const F: &str = "../shared/fixtures";

// dive's own figures for its test image (wagoodman/dive, `dive/image/docker` `Test_Analysis`:
// efficiency 0.9844212134184309, sizeBytes 1220598, userSizeBytes 66237, wastedBytes 32025,
// wastedPercent 0.4834911001404049 for `.data/test-docker-image.tar`, the same archive as
// shared/fixtures/public/dive/test-docker-image.tar), compared to every digit dive prints.
#[test]
fn dive_test_image_matches_dive() {
    let p = format!("{F}/public/dive/test-docker-image.tar");
    let (code, out) = run(&["analyze", &p, "--json"]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["dive"]["wasted_bytes"], 32025);
    assert_eq!(v["dive"]["size_bytes"], 1220598);
    assert_eq!(v["dive"]["user_size_bytes"], 66237);
    assert!((v["dive"]["efficiency"].as_f64().unwrap() - 0.9844212134184309).abs() < 1e-12, "{}", v["dive"]);
    assert!((v["dive"]["user_wasted_percent"].as_f64().unwrap() - 0.4834911001404049).abs() < 1e-12, "{}", v["dive"]);
}

#[test]
fn layered_exact_figure_and_reasons() {
    let p = format!("{F}/generated/layered.docker.tar");
    let (code, out) = run(&["analyze", &p, "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["wasted_bytes"], 5243285);
    let hidden = v["hidden"].as_array().unwrap();
    let why = |p: &str| hidden.iter().find(|h| h["path"] == p).map(|h| h["why"].as_str().unwrap().to_string());
    assert_eq!(why("/data/big.bin").as_deref(), Some("overwritten"));
    assert_eq!(why("/srv/www/index.html").as_deref(), Some("opaque_dir"));
    assert_eq!(why("/etc/motd").as_deref(), Some("deleted"));
    assert_eq!(why("/etc/perm.sh").as_deref(), Some("metadata_only"));
}

#[test]
fn ci_fails_strictly_with_exit_1() {
    let p = format!("{F}/generated/layered.docker.tar");
    let dir = std::env::temp_dir().join("layerlab-dive-ci-test");
    std::fs::write(&dir, "rules:\n  lowestEfficiency: 0.9\n  highestWastedBytes: 20MB\n  highestUserWastedPercent: disabled\n").unwrap();
    let (code, out) = run(&["analyze", &p, "--ci", "--ci-config", dir.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAIL: lowestEfficiency"), "{out}");
    assert!(out.contains("PASS: highestWastedBytes"), "{out}");
    assert!(out.contains("SKIP: highestUserWastedPercent"), "{out}");
}

// go-containerregistry's `overwritten_file.tar`, by hand: layer 0 ships foo.txt (4 bytes);
// layer 1 adds bar.txt (4 bytes) and replaces foo.txt with a symlink (tar size 0); layer 2 is
// empty. dive: paths foo.txt (cum 4, min 0, n 2) and bar.txt (4, 4, 1): efficiency 4/8, wasted
// 4 (every copy of foo.txt), size 8, user size 4 (all but the first layer), user wasted 4/4.
// Exact: layer 0's foo.txt, replaced by layer 1.
#[test]
fn ggcr_overwritten_file_by_hand() {
    let p = format!("{F}/public/go-containerregistry/overwritten_file.tar");
    let (code, out) = run(&["analyze", &p, "--json"]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["dive"]["efficiency"], 0.5);
    assert_eq!(v["dive"]["wasted_bytes"], 4);
    assert_eq!(v["dive"]["size_bytes"], 8);
    assert_eq!(v["dive"]["user_size_bytes"], 4);
    assert_eq!(v["dive"]["user_wasted_percent"], 1.0);
    assert_eq!(v["wasted_bytes"], 4);
    let hidden = v["hidden"].as_array().unwrap();
    assert_eq!(hidden.len(), 1);
    assert_eq!((hidden[0]["path"].as_str(), hidden[0]["layer"].as_u64(), hidden[0]["by_layer"].as_u64(), hidden[0]["why"].as_str()), (Some("/foo.txt"), Some(0), Some(1), Some("overwritten")));
}

// The bundled `leaky` sample (make-samples): a key copied in one layer and deleted in the next,
// and a token in an ENV line; `leaky-fixed` (a secret mount) ships neither.
#[test]
fn leaky_sample_flags_the_deleted_key_and_the_env_token() {
    // The samples are build output (not in git): write them afresh, as the page's build does.
    let dir = std::env::temp_dir().join(format!("layerlab-samples-{}", std::process::id()));
    let o = Command::new(env!("CARGO_BIN_EXE_make-samples")).arg(&dir).output().unwrap();
    assert!(o.status.success(), "make-samples: {}", String::from_utf8_lossy(&o.stderr));
    let leaky = dir.join("leaky.docker.tar");
    let fixed = dir.join("leaky-fixed.docker.tar");
    let (code, out) = run(&["analyze", leaky.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let hidden = v["hidden"].as_array().unwrap();
    let key = hidden.iter().find(|h| h["path"] == "/root/.ssh/id_rsa").expect("the key is hidden, not gone");
    assert_eq!((key["secret"].as_bool(), key["why"].as_str(), key["layer"].as_u64(), key["by_layer"].as_u64()), (Some(true), Some("deleted"), Some(1), Some(2)));
    assert_eq!(key["secret_kind"], "an SSH private key");
    assert_eq!(v["history_secrets"][0]["variable"], "API_TOKEN");
    let (code, out) = run(&["analyze", fixed.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["hidden"].as_array().unwrap().len(), 0);
    assert_eq!(v["history_secrets"].as_array().unwrap().len(), 0);
    let _ = std::fs::remove_dir_all(&dir);
}
