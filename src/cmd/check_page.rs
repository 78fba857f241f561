//! `pucha check-page` (being written).

/// Arguments of `pucha check-page`.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub async fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("pucha check-page is not available in this build yet")
}
