//! `pucha runs` (being written).

/// Arguments of `pucha runs`.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub async fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("pucha runs is not available in this build yet")
}
