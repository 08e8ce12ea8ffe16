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

// The same two layers analysed four ways must agree: uncompressed walked header to header
// (hidden heads and same-size pairs read afterwards), uncompressed verified and gzip (heads
// scanned and files hashed by the indexing pass). A content-only secret is found each way; a
// pattern past the scanned head is not; a re-add with the same bytes is metadata-only.
#[test]
fn first_pass_and_later_reads_agree() {
    let dir = std::env::temp_dir().join(format!("layerlab-heads-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let layer = |files: &[(&str, Vec<u8>)]| -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (path, data) in files {
            let mut h = tar::Header::new_ustar();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_mtime(1_700_000_000);
            h.set_uid(0);
            h.set_gid(0);
            h.set_cksum();
            b.append_data(&mut h, path, &data[..]).unwrap();
        }
        b.into_inner().unwrap()
    };
    let mut big = vec![b'x'; 100_000];
    big.splice(70_000..70_004, b"ghp_".iter().copied());
    let creds = b"[default]\nregion = eu-west-1\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG\n".to_vec();
    let same = b"unchanged bytes\n".to_vec();
    let l0 = layer(&[("app/creds.txt", creds), ("app/big.bin", big), ("app/same.txt", same.clone()), ("app/keep.txt", b"k".to_vec())]);
    let l1 = layer(&[("app/.wh.creds.txt", Vec::new()), ("app/.wh.big.bin", Vec::new()), ("app/same.txt", same)]);
    let gz = |raw: &[u8]| {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(raw).unwrap();
        e.finish().unwrap()
    };
    let paths = [("l0.tar", l0.clone()), ("l1.tar", l1.clone()), ("l0.tar.gz", gz(&l0)), ("l1.tar.gz", gz(&l1))].map(|(n, b)| {
        let p = dir.join(n);
        std::fs::write(&p, b).unwrap();
        p.to_str().unwrap().to_string()
    });
    // The gzip layer's pass scanned the heads (so the analysis reads nothing); the walk did not.
    let index = |bytes: Vec<u8>, verify: bool| {
        let opts = layerlab::layer::IndexOptions { verify, ..Default::default() };
        layerlab::layer::index_layer(layerlab::source::MemSource::shared(bytes), &opts, &mut |_| true).unwrap().secret_heads
    };
    let heads = index(gz(&l0), false).expect("a streamed layer's heads are scanned");
    assert_eq!(heads.iter().map(|h| h.1).collect::<Vec<_>>(), ["an AWS secret access key"]);
    assert_eq!(index(l0.clone(), false), None, "an uncompressed layer walked header to header reads no content");
    assert_eq!(index(l0.clone(), true).map(|h| h.len()), Some(1));
    let hidden = |args: &[&str]| -> serde_json::Value {
        let (code, out) = run(args);
        assert_eq!(code, 0, "{args:?}: {out}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v["hidden"].clone()
    };
    let plain_read = hidden(&["analyze", &paths[0], &paths[1], "--json", "--no-verify"]);
    let rows = plain_read.as_array().unwrap();
    let row = |p: &str| rows.iter().find(|h| h["path"] == p).unwrap_or_else(|| panic!("{p} is hidden: {plain_read}"));
    assert_eq!((row("/app/creds.txt")["secret_kind"].as_str(), row("/app/creds.txt")["why"].as_str()), (Some("an AWS secret access key"), Some("deleted")));
    assert_eq!((row("/app/big.bin")["secret"].as_bool(), row("/app/big.bin")["size"].as_u64()), (Some(false), Some(100_000)));
    assert_eq!(row("/app/same.txt")["why"], "metadata_only");
    assert_eq!(rows.len(), 3);
    for args in [
        vec!["analyze", &paths[0], &paths[1], "--json"],
        vec!["analyze", &paths[2], &paths[3], "--json"],
        vec!["analyze", &paths[2], &paths[3], "--json", "--no-verify"],
    ] {
        assert_eq!(hidden(&args), plain_read, "{args:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
