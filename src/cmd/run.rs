//! `pucha run` (being written).

/// Arguments of `pucha run`.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub async fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("pucha run is not available in this build yet")
}
