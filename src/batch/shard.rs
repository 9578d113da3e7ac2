//! Shards: one batch split over N processes (a Slurm job array, a Kubernetes Indexed Job),
//! each given the same inputs and `--shard I/N`. Owns the `--shard` syntax, the shard index
//! taken from the scheduler's environment (`--shard auto`), and which videos a shard takes.
//! It does not own the output folder's lock (see [`super::outdir`]) nor the batch index
//! (`formcheck index OUT`, which shards leave to one step after them).
//!
//! A video belongs to shard `xxh3_64(key) mod N` where the key is its mirrored result path
//! (the path under the folder it was found in, without extension: `client_anna/2026-03-01`),
//! not its position in the sorted list. A position moves when a file is added to the backlog
//! between two shards' starts, and then one video would be taken by two shards and another by
//! none; a hash of the video's own key does not move, and it does not depend on where the
//! shared storage is mounted on each node. Videos whose mirrored names collide (`a/lift.mp4`
//! and `b/lift.mov` given one by one) share a key, so one shard decides their `-2`.

use std::fmt;

/// One part of a batch: `index` counts from 0, shown as `index + 1` of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// True when the video with mirrored result path `key` is this shard's.
    pub fn takes(&self, key: &str) -> bool {
        shard_of(key, self.count) == self.index
    }
}

/// The shard (0-based) of `key` among `count` shards; stable across runs, machines and
/// versions (XXH3 is a specified hash, not Rust's randomised `DefaultHasher`).
pub fn shard_of(key: &str, count: usize) -> usize {
    (xxhash_rust::xxh3::xxh3_64(key.as_bytes()) % count.max(1) as u64) as usize
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index + 1, self.count)
    }
}

/// The scheduler's variables, read once by `main` (never deeper down, so tests hand them in).
#[derive(Debug, Clone, Default)]
pub struct SchedulerEnv {
    /// Kubernetes Indexed Job: the pod's index, from 0.
    pub job_completion_index: Option<String>,
    /// Slurm job array: this task's id, the array's lowest id, its step and its task count.
    pub slurm_array_task_id: Option<String>,
    pub slurm_array_task_min: Option<String>,
    pub slurm_array_task_step: Option<String>,
    pub slurm_array_task_count: Option<String>,
}

impl SchedulerEnv {
    /// The variables as this process sees them.
    pub fn from_process() -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        SchedulerEnv {
            job_completion_index: var("JOB_COMPLETION_INDEX"),
            slurm_array_task_id: var("SLURM_ARRAY_TASK_ID"),
            slurm_array_task_min: var("SLURM_ARRAY_TASK_MIN"),
            slurm_array_task_step: var("SLURM_ARRAY_TASK_STEP"),
            slurm_array_task_count: var("SLURM_ARRAY_TASK_COUNT"),
        }
    }
}

/// Why `--shard` was refused (a usage error, exit 2).
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ShardError {
    #[error("--shard {0}: expected I/N (1 <= I <= N, e.g. 2/8), auto, or auto/N")]
    Syntax(String),
    #[error("--shard {spec}: shard {index} is outside 1..{count}")]
    OutOfRange {
        spec: String,
        index: usize,
        count: usize,
    },
    #[error("--shard {0}: neither JOB_COMPLETION_INDEX (Kubernetes Indexed Job) nor SLURM_ARRAY_TASK_ID (Slurm job array) is set")]
    NoScheduler(String),
    #[error("--shard auto: JOB_COMPLETION_INDEX gives this pod's index but not how many there are; write --shard auto/N with N = the Job's completions")]
    NoCount,
    #[error("--shard {spec}: {var} = {value:?} is not a whole number")]
    BadVar {
        spec: String,
        var: &'static str,
        value: String,
    },
    #[error("--shard {spec}: {detail}")]
    Mismatch { spec: String, detail: String },
}

/// Parses `--shard`: `I/N` (1-based, as `--shard 1/2` and `--shard 2/2` read), `auto` (index
/// and count from a Slurm array), or `auto/N` (index from the scheduler, N given: what a
/// Kubernetes Indexed Job needs, as it does not tell the pod its completions).
pub fn parse(spec: &str, env: &SchedulerEnv) -> Result<Shard, ShardError> {
    let syntax = || ShardError::Syntax(spec.to_string());
    let (head, count) = match spec.split_once('/') {
        Some((h, n)) => {
            let n: usize = n.trim().parse().map_err(|_| syntax())?;
            (h.trim(), Some(n))
        }
        None => (spec.trim(), None),
    };
    if count == Some(0) {
        return Err(syntax());
    }
    if head != "auto" {
        let (Ok(i), Some(n)) = (head.parse::<usize>(), count) else {
            return Err(syntax());
        };
        return checked(spec, i, n);
    }
    if let Some(v) = &env.job_completion_index {
        let index = number(spec, "JOB_COMPLETION_INDEX", v)?;
        let count = count.ok_or(ShardError::NoCount)?;
        return checked(spec, index + 1, count);
    }
    let Some(id) = &env.slurm_array_task_id else {
        return Err(ShardError::NoScheduler(spec.to_string()));
    };
    let id = number(spec, "SLURM_ARRAY_TASK_ID", id)?;
    let min = match &env.slurm_array_task_min {
        Some(v) => number(spec, "SLURM_ARRAY_TASK_MIN", v)?,
        None => 0,
    };
    let step = match &env.slurm_array_task_step {
        Some(v) => number(spec, "SLURM_ARRAY_TASK_STEP", v)?.max(1),
        None => 1,
    };
    let slurm_count = match &env.slurm_array_task_count {
        Some(v) => Some(number(spec, "SLURM_ARRAY_TASK_COUNT", v)?),
        None => None,
    };
    let count = match (count, slurm_count) {
        (Some(n), Some(s)) if n != s => {
            return Err(ShardError::Mismatch {
                spec: spec.to_string(),
                detail: format!("N = {n} but SLURM_ARRAY_TASK_COUNT = {s}"),
            })
        }
        (Some(n), _) | (None, Some(n)) => n,
        (None, None) => {
            return Err(ShardError::Mismatch {
                spec: spec.to_string(),
                detail: "SLURM_ARRAY_TASK_COUNT is not set; write --shard auto/N".into(),
            })
        }
    };
    if id < min || (id - min) % step != 0 || (id - min) / step >= count {
        return Err(ShardError::Mismatch {
            spec: spec.to_string(),
            detail: format!(
                "SLURM_ARRAY_TASK_ID {id} is not one of {count} evenly spaced ids from {min} (step {step}); use a range such as --array=0-{}",
                count - 1
            ),
        });
    }
    checked(spec, (id - min) / step + 1, count)
}

fn number(spec: &str, var: &'static str, value: &str) -> Result<usize, ShardError> {
    value.trim().parse().map_err(|_| ShardError::BadVar {
        spec: spec.to_string(),
        var,
        value: value.to_string(),
    })
}

/// `one_based` of `count`, checked.
fn checked(spec: &str, one_based: usize, count: usize) -> Result<Shard, ShardError> {
    if one_based == 0 || one_based > count {
        return Err(ShardError::OutOfRange {
            spec: spec.to_string(),
            index: one_based,
            count,
        });
    }
    Ok(Shard {
        index: one_based - 1,
        count,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env() -> SchedulerEnv {
        SchedulerEnv::default()
    }

    #[test]
    fn explicit_shards_are_one_based() {
        assert_eq!(parse("1/2", &no_env()), Ok(Shard { index: 0, count: 2 }));
        assert_eq!(parse("2/2", &no_env()), Ok(Shard { index: 1, count: 2 }));
        assert_eq!(parse("2/2", &no_env()).unwrap().to_string(), "2/2");
        for bad in ["0/2", "3/2"] {
            assert!(
                matches!(parse(bad, &no_env()), Err(ShardError::OutOfRange { .. })),
                "{bad}"
            );
        }
        for bad in ["1", "1/0", "a/2", "1/b", "", "/"] {
            assert!(
                matches!(parse(bad, &no_env()), Err(ShardError::Syntax(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn kubernetes_index_counts_from_zero_and_needs_the_count() {
        let env = SchedulerEnv {
            job_completion_index: Some("3".into()),
            ..no_env()
        };
        assert_eq!(parse("auto/4", &env), Ok(Shard { index: 3, count: 4 }));
        assert_eq!(parse("auto", &env), Err(ShardError::NoCount));
        assert!(matches!(
            parse("auto/3", &env),
            Err(ShardError::OutOfRange { .. })
        ));
        assert_eq!(
            parse("auto", &no_env()),
            Err(ShardError::NoScheduler("auto".into()))
        );
    }

    #[test]
    fn slurm_ids_are_taken_from_the_arrays_lowest_id() {
        let env = |id: &str, min: &str, count: &str| SchedulerEnv {
            slurm_array_task_id: Some(id.into()),
            slurm_array_task_min: Some(min.into()),
            slurm_array_task_count: Some(count.into()),
            ..no_env()
        };
        // --array=1-8 and --array=0-7 give the same shards
        assert_eq!(
            parse("auto", &env("1", "1", "8")),
            Ok(Shard { index: 0, count: 8 })
        );
        assert_eq!(
            parse("auto", &env("7", "0", "8")),
            Ok(Shard { index: 7, count: 8 })
        );
        assert!(matches!(
            parse("auto/4", &env("1", "0", "8")),
            Err(ShardError::Mismatch { .. })
        ));
        // --array=1,3,5: not contiguous
        assert!(matches!(
            parse("auto", &env("5", "1", "3")),
            Err(ShardError::Mismatch { .. })
        ));
        let stepped = SchedulerEnv {
            slurm_array_task_step: Some("2".into()),
            ..env("5", "1", "3")
        };
        assert_eq!(parse("auto", &stepped), Ok(Shard { index: 2, count: 3 }));
        assert!(matches!(
            parse("auto", &env("x", "0", "2")),
            Err(ShardError::BadVar { .. })
        ));
    }

    #[test]
    fn every_key_goes_to_exactly_one_shard_and_stays_there() {
        let keys: Vec<String> = (0..200)
            .map(|i| format!("lifter_{}/clip_{i}", i % 7))
            .collect();
        for count in [1, 2, 3, 8] {
            let mut per_shard = vec![0usize; count];
            for k in &keys {
                let takers: Vec<usize> = (0..count)
                    .filter(|&index| Shard { index, count }.takes(k))
                    .collect();
                assert_eq!(takers.len(), 1, "{k} in {count} shards: {takers:?}");
                per_shard[takers[0]] += 1;
            }
            // balanced within a loose binomial margin
            for n in &per_shard {
                assert!(
                    (*n as f64) > 0.5 * 200.0 / count as f64,
                    "{count}: {per_shard:?}"
                );
            }
        }
        // fixed values: a change of hash would move every result between shards
        // (XXH3-64 of "client_anna/2026-03-01_deadlift" is 3318880190191002469)
        assert_eq!(shard_of("client_anna/2026-03-01_deadlift", 1), 0);
        assert_eq!(shard_of("client_anna/2026-03-01_deadlift", 2), 1);
        assert_eq!(shard_of("client_anna/2026-03-01_deadlift", 1000), 469);
        assert_eq!(shard_of("ben/clip", 1000), 226);
    }
}
