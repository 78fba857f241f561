//! `pucha diff` (being written).

/// Arguments of `pucha diff`.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub async fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("pucha diff is not available in this build yet")
}
