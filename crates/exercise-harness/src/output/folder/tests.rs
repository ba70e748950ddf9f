use super::*;
use std::collections::BTreeMap;

/// Everything below `dir` but its record: files with their bytes, links
/// with their targets (`-> target`), so that a test sees any change.
fn view(dir: &Path) -> BTreeMap<String, String> {
    fn walk(base: &Path, d: &Path, out: &mut BTreeMap<String, String>) {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            let p = e.path();
            let rel = p.strip_prefix(base).unwrap().display().to_string();
            let t = e.file_type().unwrap();
            if rel == RECORD || rel == BUILDING {
                continue;
            } else if t.is_symlink() {
                out.insert(rel, format!("-> {}", std::fs::read_link(&p).unwrap().display()));
            } else if t.is_dir() {
                walk(base, &p, out);
            } else {
                out.insert(rel, String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn set(files: &[(&str, &str)]) -> OutputSet {
    let mut s = OutputSet::new();
    for (n, t) in files {
        s.add(*n, t.as_bytes());
    }
    s
}

fn commit(dir: &Path, files: &[(&str, &str)]) -> Committed {
    OutputFolder::claim(dir, "ex2a", false)
        .unwrap()
        .commit(set(files))
        .unwrap()
}

fn expect(files: &[(&str, &str)]) -> BTreeMap<String, String> {
    files.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

/// The names beside the output folder in its parent, the lock left out.
fn beside(parent: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(parent)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".lock"))
        .collect();
    v.sort();
    v
}

fn refused(dir: &Path, owner: &str, replace: bool) -> String {
    format!("{:#}", OutputFolder::claim(dir, owner, replace).unwrap_err())
}

const OLD: &[(&str, &str)] = &[("metrics.json", "old"), ("a.svg", "old a"), ("weights/x.npz", "old x")];
const NEW: &[(&str, &str)] = &[
    ("metrics.json", "new"),
    ("b.svg", "new b"),
    ("weights/x.npz", "new x"),
    ("weights/y.npz", "new y"),
];

#[test]
fn a_run_writes_plain_files_and_its_record() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    commit(&out, OLD);
    assert_eq!(view(&out), expect(OLD));
    let record = Record::read(&out).unwrap().unwrap();
    assert_eq!(record.written_by, "ex2a");
    assert_eq!(
        record.files["weights/x.npz"],
        super::super::record::sha256_hex(b"old x")
    );
    assert_eq!(beside(tmp.path()), ["out"]);
    let dropped = commit(&out, NEW).dropped;
    assert_eq!(view(&out), expect(NEW), "replaced as a whole");
    assert_eq!(dropped, [Path::new("a.svg")]);
    assert_eq!(beside(tmp.path()), ["out"], "nothing left beside it");
}

#[test]
fn a_file_the_run_did_not_write_stops_it_before_any_work() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    commit(&out, OLD);
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let before = view(&out);
    let e = refused(&out, "ex2a", false);
    assert!(
        e.contains("notes.txt") && e.contains("was not written by a run") && e.contains("--replace"),
        "{e}"
    );
    assert_eq!(view(&out), before);
    // With --replace the file is kept beside the folder, and the user told.
    let c = OutputFolder::claim(&out, "ex2a", true)
        .unwrap()
        .commit(set(NEW))
        .unwrap();
    assert_eq!(view(&out), expect(NEW));
    let (kept, files) = c.kept.unwrap();
    assert!(
        kept.file_name().unwrap().to_string_lossy().starts_with("out.kept-"),
        "{kept:?}"
    );
    assert_eq!(files, [Path::new("notes.txt")]);
    assert_eq!(view(&kept), expect(&[("notes.txt", "mine")]));
}

#[test]
fn an_edited_file_stops_the_run_and_is_kept_with_replace() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    commit(&out, OLD);
    std::fs::write(out.join("weights/x.npz"), "edited").unwrap();
    let e = refused(&out, "ex2a", false);
    assert!(e.contains("weights/x.npz") && e.contains("changed since"), "{e}");
    let c = OutputFolder::claim(&out, "ex2a", true)
        .unwrap()
        .commit(set(NEW))
        .unwrap();
    let (kept, _) = c.kept.unwrap();
    assert_eq!(view(&kept), expect(&[("weights/x.npz", "edited")]));
    assert_eq!(view(&out), expect(NEW));
}

#[test]
fn an_edit_while_the_run_works_stops_the_exchange() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    commit(&out, OLD);
    let claimed = OutputFolder::claim(&out, "ex2a", false).unwrap();
    std::fs::write(out.join("metrics.json"), "saved by an editor").unwrap();
    let e = format!("{:#}", claimed.commit(set(NEW)).unwrap_err());
    assert!(e.contains("nothing was replaced") && e.contains("metrics.json"), "{e}");
    assert_eq!(view(&out)["metrics.json"], "saved by an editor");
    assert_eq!(beside(tmp.path()), ["out"], "the staging folder is gone");
}

#[test]
fn litter_is_carried_over_unchanged_and_never_a_reason_to_refuse() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir_all(out.join(".ipynb_checkpoints")).unwrap();
    std::fs::write(out.join(".ipynb_checkpoints/x-checkpoint.ipynb"), "cp").unwrap();
    std::fs::write(out.join(".DS_Store"), "finder").unwrap();
    commit(&out, OLD);
    std::fs::create_dir_all(out.join("weights")).unwrap();
    std::fs::write(out.join("weights/Thumbs.db"), "explorer").unwrap();
    std::fs::write(out.join(".metrics.json.swp"), "vim").unwrap();
    let c = commit(&out, NEW);
    let mut want = expect(NEW);
    for (n, t) in [
        (".ipynb_checkpoints/x-checkpoint.ipynb", "cp"),
        (".DS_Store", "finder"),
        ("weights/Thumbs.db", "explorer"),
        (".metrics.json.swp", "vim"),
    ] {
        want.insert(n.into(), t.into());
    }
    assert_eq!(view(&out), want);
    assert!(c.kept.is_none());
    assert_eq!(beside(tmp.path()), ["out"]);
    // Litter is not recorded as the run's own.
    assert!(!Record::read(&out).unwrap().unwrap().files.contains_key(".DS_Store"));
}

#[test]
fn folders_that_are_not_this_runs_are_refused_up_front() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    commit(&out, OLD);
    let e = refused(&out, "ex2c", false);
    assert!(e.contains("holds the output of ex2a"), "{e}");
    let e = refused(&out, "ex2c", true);
    assert!(
        e.contains("holds the output of ex2a"),
        "--replace does not change owners: {e}"
    );
    let e = refused(&out, REPORT, false);
    assert!(e.contains("holds the output of ex2a"), "{e}");

    let report = tmp.path().join("report");
    OutputFolder::claim(&report, REPORT, false)
        .unwrap()
        .commit(set(&[("index.html", "h"), ("ex2a/metrics.json", "m")]))
        .unwrap();
    let e = refused(&report, "ex2a", false);
    assert!(e.contains("holds the report"), "{e}");
    let e = refused(&report.join("ex2a"), "ex2a", false);
    assert!(e.contains("inside the report folder"), "{e}");

    let mine = tmp.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(mine.join("thesis.tex"), "years of work").unwrap();
    for replace in [false, true] {
        let e = refused(&mine, "ex2a", replace);
        assert!(e.contains("no record") && e.contains("thesis.tex"), "{e}");
    }
    assert_eq!(view(&mine), expect(&[("thesis.tex", "years of work")]));

    let file = tmp.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    assert!(refused(&file, "ex2a", false).contains("not a folder"));
    let link = tmp.path().join("link");
    std::os::unix::fs::symlink(&out, &link).unwrap();
    assert!(refused(&link, "ex2a", false).contains("symbolic link"));
    assert!(refused(Path::new("/proc"), "ex2a", false).contains("mount point"));
    assert!(refused(Path::new("/"), "ex2a", false).contains("names no folder"));
    let e = refused(Path::new("/proc/backprop-test/out"), "ex2a", false);
    assert!(e.contains("/proc/backprop-test"), "{e}");
}

#[test]
fn an_empty_folder_or_one_of_litter_is_taken() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("desktop.ini"), "explorer").unwrap();
    commit(&out, OLD);
    let mut want = expect(OLD);
    want.insert("desktop.ini".into(), "explorer".into());
    assert_eq!(view(&out), want);
    assert_eq!(beside(tmp.path()), ["out"]);
}

/// The link layout of earlier versions: `.current` naming the set in force,
/// visible names as links through it, a `.replaced-*` folder of the user's.
fn linked_folder(dir: &Path) {
    use std::os::unix::fs::symlink;
    let run = dir.join(".run-1796137145817286382-42");
    std::fs::create_dir_all(run.join("weights")).unwrap();
    std::fs::write(run.join("metrics.json"), "linked").unwrap();
    std::fs::write(run.join("weights/x.npz"), "linked x").unwrap();
    std::fs::create_dir_all(dir.join(".run-1796137145817286381-42")).unwrap();
    symlink(".run-1796137145817286382-42", dir.join(".current")).unwrap();
    symlink(".current/metrics.json", dir.join("metrics.json")).unwrap();
    symlink(".current/weights", dir.join("weights")).unwrap();
    symlink(".current/gone.svg", dir.join("gone.svg")).unwrap();
}

#[test]
fn a_folder_of_the_link_layout_is_converted_once() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    linked_folder(&out);
    let c = Contents::of(&out).unwrap();
    assert!(c.linked);
    assert_eq!(c.ours, [Path::new("metrics.json"), Path::new("weights/x.npz")]);
    assert!(c.foreign.is_empty(), "{:?}", c.foreign);
    let c = commit(&out, NEW);
    assert_eq!(view(&out), expect(NEW));
    assert!(c.kept.is_none());
    assert_eq!(beside(tmp.path()), ["out"]);

    // What the user had moved aside in that layout is theirs.
    let out = tmp.path().join("out2");
    linked_folder(&out);
    std::fs::create_dir(out.join(".replaced-1796137145817286382-42")).unwrap();
    std::fs::write(out.join(".replaced-1796137145817286382-42/metrics.json"), "plain").unwrap();
    assert!(refused(&out, "ex2a", false).contains(".replaced-1796137145817286382-42/metrics.json"));
    let c = OutputFolder::claim(&out, "ex2a", true)
        .unwrap()
        .commit(set(NEW))
        .unwrap();
    let (kept, _) = c.kept.unwrap();
    assert_eq!(
        view(&kept),
        expect(&[(".replaced-1796137145817286382-42/metrics.json", "plain")])
    );
}

/// A crash between any two changes on disk, at every point of a commit,
/// with either way of swapping: the folder shows the old output or the new
/// one, the user's litter with either; the next run leaves the new output
/// and nothing beside it.
#[test]
fn a_crash_at_any_point_leaves_one_complete_output() {
    for swap in [Swap::Exchange, Swap::TwoRenames] {
        let with_litter = |files: &[(&str, &str)]| {
            let mut v = expect(files);
            v.insert(".DS_Store".into(), "finder".into());
            v
        };
        let (old_view, new_view) = (with_litter(OLD), with_litter(NEW));
        let steps = {
            let tmp = tempfile::tempdir().unwrap();
            let out = tmp.path().join("out");
            commit(&out, OLD);
            let mut n = 0;
            OutputFolder::claim_with(&out, "ex2a", false, swap)
                .unwrap()
                .commit_stepped(set(NEW), &mut |_| {
                    n += 1;
                    Ok(())
                })
                .unwrap();
            n
        };
        assert!(steps >= 8, "only {steps} steps");
        let (mut saw_old, mut saw_new) = (false, false);
        for crash_after in 0..steps {
            let tmp = tempfile::tempdir().unwrap();
            let out = tmp.path().join("out");
            commit(&out, OLD);
            std::fs::write(out.join(".DS_Store"), "finder").unwrap();
            let mut n = 0;
            let mut at = "";
            let folder = OutputFolder::claim_with(&out, "ex2a", false, swap).unwrap();
            let crashed = folder.commit_stepped(set(NEW), &mut |what| {
                n += 1;
                at = what;
                if n > crash_after {
                    // What a crash leaves: nothing undone, nothing tidied.
                    return Err(Crash.into());
                }
                Ok(())
            });
            assert!(crashed.is_err());
            let gap = !out.exists();
            assert!(
                gap == (swap == Swap::TwoRenames && at == "old moved aside"),
                "{swap:?} {at}: gap {gap}"
            );
            if !gap {
                let seen = view(&out);
                assert!(
                    seen == old_view || seen == new_view,
                    "{swap:?} after {at} ({crash_after}): {seen:?}"
                );
                saw_old |= seen == old_view;
                saw_new |= seen == new_view;
            }
            // The next run puts things right.
            let c = OutputFolder::claim_with(&out, "ex2a", false, swap)
                .unwrap()
                .commit(set(NEW))
                .unwrap();
            assert_eq!(view(&out), new_view, "{swap:?} after {at}");
            assert!(c.kept.is_none(), "{swap:?} after {at}: {:?}", c.kept);
            assert_eq!(beside(tmp.path()), ["out"], "{swap:?} after {at}: leftovers");
        }
        assert!(saw_old && saw_new, "{swap:?}");
    }
}

#[test]
fn a_run_killed_between_two_renames_is_repaired() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    commit(&out, OLD);
    // As a kill after the first of the two renames leaves it.
    std::fs::rename(&out, tmp.path().join("out.old-1796137145817286382-7")).unwrap();
    std::fs::create_dir(tmp.path().join("out.new-1796137145817286382-7")).unwrap();
    std::fs::write(tmp.path().join("out.new-1796137145817286382-7").join(BUILDING), "").unwrap();
    let folder = OutputFolder::claim(&out, "ex2a", false).unwrap();
    assert_eq!(view(&out), expect(OLD), "put back before anything else");
    let c = folder.commit(set(NEW)).unwrap();
    assert!(
        c.notices.iter().any(|n| n.contains("put") && n.contains("back")),
        "{:?}",
        c.notices
    );
    assert_eq!(beside(tmp.path()), ["out"]);
}

#[test]
fn a_leftover_that_holds_a_users_file_is_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    commit(&out, OLD);
    // An old folder a killed run left after the exchange, with --replace's
    // foreign file still in it.
    let left = tmp.path().join("out.new-1796137145817286382-7");
    commit(&left, OLD);
    std::fs::write(left.join("notes.txt"), "mine").unwrap();
    let c = commit(&out, NEW);
    assert_eq!(c.notices.len(), 1, "{:?}", c.notices);
    let kept: Vec<String> = beside(tmp.path()).into_iter().filter(|n| n != "out").collect();
    assert_eq!(kept.len(), 1);
    assert!(kept[0].starts_with("out.kept-"), "{kept:?}");
    assert_eq!(view(&tmp.path().join(&kept[0])), expect(&[("notes.txt", "mine")]));
}

#[test]
fn runs_into_one_folder_take_turns() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let out = out.clone();
            std::thread::spawn(move || {
                for i in 0..10 {
                    let tag = format!("{w}-{i}");
                    let files: Vec<(&str, &str)> = ["metrics.json", "a.svg", "weights/x.npz"]
                        .iter()
                        .map(|n| (*n, tag.as_str()))
                        .collect();
                    commit(&out, &files);
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    let seen = view(&out);
    assert_eq!(seen.len(), 3, "{seen:?}");
    let first = seen.values().next().unwrap();
    assert!(seen.values().all(|t| t == first), "{seen:?}");
    assert_eq!(beside(tmp.path()), ["out"]);
}

#[test]
fn a_failed_run_leaves_the_folder_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    commit(&out, OLD);
    let mut folder = OutputFolder::claim(&out, "ex2a", false).unwrap();
    let staging = folder.staging().unwrap();
    std::fs::write(staging.join("half.svg"), "half").unwrap();
    drop(folder);
    assert_eq!(view(&out), expect(OLD));
    assert_eq!(beside(tmp.path()), ["out"]);
}

#[test]
fn the_time_stamp_is_a_date_and_a_time() {
    let s = human_stamp();
    assert_eq!(s.len(), 15, "{s}");
    assert!(s.starts_with("20"), "{s}");
}

#[test]
fn folders_of_the_users_that_look_like_leftovers_are_left_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    commit(&out, OLD);
    // A backup the user named like a leftover, and one that even holds a
    // record: neither has a machine stamp.
    for backup in ["out.old-2024-11", "out.new-2024-11"] {
        let b = tmp.path().join(backup);
        commit(&b, OLD);
    }
    std::fs::remove_dir_all(&out).unwrap();
    let c = commit(&out, NEW);
    assert!(c.notices.is_empty(), "{:?}", c.notices);
    assert_eq!(view(&out), expect(NEW));
    assert_eq!(beside(tmp.path()), ["out", "out.new-2024-11", "out.old-2024-11"]);
    assert_eq!(view(&tmp.path().join("out.old-2024-11")), expect(OLD));
}

#[test]
fn a_users_copy_of_the_link_layout_inside_an_output_is_theirs() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    commit(&out, OLD);
    linked_folder(&out.join("old"));
    let e = refused(&out, "ex2a", false);
    assert!(e.contains("old/"), "{e}");
    let c = OutputFolder::claim(&out, "ex2a", true)
        .unwrap()
        .commit(set(NEW))
        .unwrap();
    let (kept, _) = c.kept.unwrap();
    assert_eq!(
        std::fs::read_to_string(kept.join("old/metrics.json")).unwrap(),
        "linked"
    );
}

#[test]
fn an_edit_through_a_link_of_the_link_layout_is_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    linked_folder(&out);
    // Written after the run switched `.current`: an edit through the link.
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(out.join("metrics.json"), "edited").unwrap();
    let e = refused(&out, "ex2a", false);
    assert!(e.contains("metrics.json") && e.contains("changed since"), "{e}");
    let c = OutputFolder::claim(&out, "ex2a", true)
        .unwrap()
        .commit(set(NEW))
        .unwrap();
    let (kept, _) = c.kept.unwrap();
    assert_eq!(std::fs::read_to_string(kept.join("metrics.json")).unwrap(), "edited");
    assert_eq!(view(&out), expect(NEW));
}

#[test]
fn a_users_empty_folder_is_kept_and_an_unreadable_file_is_not_ours() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    commit(&out, OLD);
    std::fs::create_dir_all(out.join("drafts/2024")).unwrap();
    let c = commit(&out, NEW);
    let (kept, files) = c.kept.expect("the empty folders kept");
    assert!(files.is_empty());
    assert!(kept.join("drafts/2024").is_dir());
    assert_eq!(view(&out), expect(NEW));
    // A recorded file replaced by a folder of the same name is not ours.
    std::fs::remove_file(out.join("b.svg")).unwrap();
    std::fs::create_dir(out.join("b.svg")).unwrap();
    std::fs::write(out.join("b.svg/inside"), "mine").unwrap();
    assert!(refused(&out, "ex2a", false).contains("b.svg/inside"));
}

#[test]
fn dot_dot_after_a_link_is_read_as_the_shell_reads_it() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("deep/inner");
    std::fs::create_dir_all(&target).unwrap();
    std::os::unix::fs::symlink(&target, tmp.path().join("lnk")).unwrap();
    let folder = OutputFolder::claim(&tmp.path().join("lnk/../X"), "ex2a", false).unwrap();
    assert_eq!(folder.dir(), tmp.path().canonicalize().unwrap().join("deep/X"));
}

#[test]
fn a_refusal_inside_the_report_makes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let report = tmp.path().join("report");
    OutputFolder::claim(&report, REPORT, false)
        .unwrap()
        .commit(set(&[("index.html", "h")]))
        .unwrap();
    assert!(refused(&report.join("new/deeper"), "ex2a", false).contains("inside the report folder"));
    assert!(!report.join("new").exists());
}

#[test]
fn the_lock_names_the_run_that_holds_it() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let folder = OutputFolder::claim(&out, "ex2a", false).unwrap();
    let holder = std::fs::read_to_string(tmp.path().join(".out.lock")).unwrap();
    assert_eq!(holder, std::process::id().to_string());
    drop(folder);
}

#[test]
fn a_damaged_record_is_named_with_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    commit(&out, OLD);
    std::fs::write(out.join(RECORD), "{").unwrap();
    for replace in [false, true] {
        let e = refused(&out, "ex2a", replace);
        assert!(
            e.contains("record") && e.contains("damaged") && e.contains("delete"),
            "{e}"
        );
    }
}

#[test]
fn a_lock_planted_as_a_link_is_refused_and_its_target_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let precious = tmp.path().join("precious.txt");
    std::fs::write(&precious, "do not empty me").unwrap();
    std::os::unix::fs::symlink(&precious, tmp.path().join(".out.lock")).unwrap();
    let e = refused(&tmp.path().join("out"), "ex2a", false);
    assert!(e.contains(".out.lock") && e.contains("not a plain file"), "{e}");
    assert_eq!(std::fs::read_to_string(&precious).unwrap(), "do not empty me");
}
