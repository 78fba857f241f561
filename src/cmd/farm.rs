//! `pucha farm` (being written).

/// Arguments of `pucha farm`.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub async fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("pucha farm is not available in this build yet")
}
