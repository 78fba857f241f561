//! `pucha review` (being written).

/// Arguments of `pucha review`.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub async fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("pucha review is not available in this build yet")
}
