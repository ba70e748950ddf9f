//! The checkout a command acts on, found when it runs, never fixed when it
//! was built: a copied or moved checkout then acts on itself.

use std::path::{Path, PathBuf};

/// The root of the checkout of this project that the command acts on: the
/// nearest folder upward from the current folder that is one, else the
/// nearest upward from the running executable (a binary under a checkout's
/// `target/`); `None` outside any. A folder is a checkout of this project
/// when its `Cargo.toml` has a `[workspace]` table and it holds
/// `exercises/` (so that a nested workspace, such as `fuzz/`, is not taken
/// for it).
pub fn root() -> Option<PathBuf> {
    let here = std::env::current_dir().ok();
    let exe = std::env::current_exe().ok();
    here.as_deref()
        .and_then(upward)
        .or_else(|| exe.as_deref().and_then(Path::parent).and_then(upward))
}

/// `path` as the user would type it from the current folder: relative when
/// it lies below the current folder, else as it is.
pub fn as_typed(path: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|here| path.strip_prefix(here).ok().map(Path::to_path_buf))
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| path.to_path_buf())
}

/// The nearest checkout of this project at or above `start`.
fn upward(start: &Path) -> Option<PathBuf> {
    start.ancestors().find(|dir| is_checkout(dir)).map(Path::to_path_buf)
}

fn is_checkout(dir: &Path) -> bool {
    dir.join("exercises").is_dir()
        && std::fs::read_to_string(dir.join("Cargo.toml"))
            .is_ok_and(|toml| toml.lines().any(|l| l.trim() == "[workspace]"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkout_is_a_workspace_that_holds_the_exercises() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("copy");
        std::fs::create_dir_all(root.join("exercises/ex2a")).unwrap();
        std::fs::create_dir_all(root.join("fuzz/src")).unwrap();
        std::fs::write(root.join("Cargo.toml"), "[workspace]\nmembers = []\n").unwrap();
        std::fs::write(root.join("fuzz/Cargo.toml"), "[workspace]\nmembers = [\".\"]\n").unwrap();
        assert_eq!(upward(&root.join("fuzz/src")), Some(root.clone()));
        assert_eq!(upward(&root.join("exercises/ex2a")), Some(root.clone()));
        assert_eq!(upward(dir.path()), None);
    }
}
