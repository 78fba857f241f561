//! `pucha report` (being written).

/// Arguments of `pucha report`.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub async fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("pucha report is not available in this build yet")
}
