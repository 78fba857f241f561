//! `pucha monitor` (being written).

/// Arguments of `pucha monitor`.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub async fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("pucha monitor is not available in this build yet")
}
