//! `pucha demo` (being written).

/// Arguments of `pucha demo`.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub async fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("pucha demo is not available in this build yet")
}
