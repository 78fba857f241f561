//! `pucha coordinator` (being written).

/// Arguments of `pucha coordinator`.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub async fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("pucha coordinator is not available in this build yet")
}
