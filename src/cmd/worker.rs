//! `pucha worker` (being written).

/// Arguments of `pucha worker`.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub async fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("pucha worker is not available in this build yet")
}
