//! The ONNX engine behind one small trait, so a second engine (or a test double) plugs in.
//! The default is ONNX Runtime loaded at run time from the library the set-up script fetched
//! from PyPI (`onnxruntime==1.31.1`; where it is found: [`crate::data_dir`]); nothing is
//! downloaded at build or run time.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ort::session::builder::GraphOptimizationLevel;
use ort::session::Session;
use ort::value::Tensor;

/// A model's output tensor, flattened row-major.
#[derive(Debug, Clone)]
pub struct TensorOut {
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
}

/// Runs one model on one float input; outputs come in the order of their names
/// (`Identity`, `Identity_1`, ...), as the BlazePose files name them.
pub trait Engine: Send {
    fn run(&mut self, input: &[f32], shape: &[usize]) -> Result<Vec<TensorOut>, String>;
}

pub use crate::data_dir::ORT_LIBRARY;

/// The loaded runtime and the file it came from.
struct Runtime {
    env: ort::environment::Environment,
    library: PathBuf,
}

static ORT_ENV: OnceLock<Result<Runtime, String>> = OnceLock::new();

fn load_runtime(lib: &Path) -> Result<Runtime, String> {
    let env = ort::init_from(lib)
        .map_err(|e| format!("loading {}: {e}", lib.display()))?
        .with_name("formcheck")
        .build()
        .map_err(|e| format!("ONNX Runtime environment: {e}"))?;
    Ok(Runtime {
        env,
        library: lib.to_path_buf(),
    })
}

/// Loads ONNX Runtime from `lib` (the binary resolves it with [`crate::data_dir`]); call
/// before the first model. Gives the library in use: the first one loaded stays for the
/// process.
pub fn init_runtime(lib: &Path) -> Result<PathBuf, String> {
    ORT_ENV
        .get_or_init(|| load_runtime(lib))
        .as_ref()
        .map(|r| r.library.clone())
        .map_err(|e| e.clone())
}

/// ONNX Runtime's version and build, as the loaded library reports it (after
/// [`init_runtime`]).
pub fn runtime_info() -> Result<String, String> {
    runtime()?;
    Ok(ort::info().to_string())
}

fn runtime() -> Result<&'static Runtime, String> {
    ORT_ENV
        .get_or_init(|| {
            // Not initialised by the binary (tests, examples): the executable's own location.
            let lib = crate::data_dir::find_ort_library(&crate::data_dir::Hints::from_exe(), None)
                .map_err(|e| e.to_string())?;
            load_runtime(&lib)
        })
        .as_ref()
        .map_err(|e| e.clone())
}

/// ONNX Runtime session on the CPU.
pub struct OrtEngine {
    session: Session,
    input_name: String,
    output_names: Vec<String>,
}

impl OrtEngine {
    /// Loads `model` with `threads` intra-op threads (1 when many videos run in parallel).
    pub fn load(model: &Path, threads: usize) -> Result<Self, String> {
        let env = &runtime()?.env;
        let err = |e: ort::Error| format!("{}: {e}", model.display());
        let session = Session::builder(env)
            .map_err(err)?
            .with_optimization_level(GraphOptimizationLevel::Level3)
            .map_err(|e| format!("{}: {e}", model.display()))?
            .with_intra_threads(threads.max(1))
            .map_err(|e| format!("{}: {e}", model.display()))?
            .with_intra_op_spinning(false)
            .map_err(|e| format!("{}: {e}", model.display()))?
            // The memory pattern pre-plans a block for all of a run's intermediate tensors and
            // keeps it beside the arena; off, the arena's own buffers are reused from run to
            // run: 8-12 MB less peak RSS at the same model time (measured in session 14).
            .with_memory_pattern(false)
            .map_err(|e| format!("{}: {e}", model.display()))?
            .commit_from_file(model)
            .map_err(|e| format!("{}: {e}", model.display()))?;
        let input_name = session
            .inputs()
            .first()
            .map(|i| i.name().to_string())
            .ok_or_else(|| format!("{}: model has no input", model.display()))?;
        let mut output_names: Vec<String> = session
            .outputs()
            .iter()
            .map(|o| o.name().to_string())
            .collect();
        // Identity, Identity_1, ..., Identity_10 must sort numerically.
        output_names.sort_by_key(|n| (n.len(), n.clone()));
        Ok(OrtEngine {
            session,
            input_name,
            output_names,
        })
    }
}

impl Engine for OrtEngine {
    fn run(&mut self, input: &[f32], shape: &[usize]) -> Result<Vec<TensorOut>, String> {
        let tensor =
            Tensor::from_array((shape.to_vec(), input.to_vec())).map_err(|e| e.to_string())?;
        let outputs = self
            .session
            .run(ort::inputs![self.input_name.as_str() => tensor])
            .map_err(|e| e.to_string())?;
        let mut result = Vec::with_capacity(self.output_names.len());
        for name in &self.output_names {
            let value = outputs
                .get(name.as_str())
                .ok_or_else(|| format!("missing output {name}"))?;
            let (shape, data) = value
                .try_extract_tensor::<f32>()
                .map_err(|e| e.to_string())?;
            result.push(TensorOut {
                shape: shape.iter().map(|&d| d.max(0) as usize).collect(),
                data: data.to_vec(),
            });
        }
        Ok(result)
    }
}
