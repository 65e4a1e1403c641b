//! Projects.

use clap::Subcommand;

use super::output::{time, Output};
use switchboard::client::Client;

#[derive(Subcommand, Debug)]
pub enum ProjectsCommand {
    List,
    Get { project: String },
    Create { name: String },
}

pub(super) async fn projects(
    client: &Client,
    command: ProjectsCommand,
    out: Output,
) -> anyhow::Result<()> {
    let show = |p: &switchboard::client::Project| {
        out.item(
            p,
            vec![
                ("id", p.id.clone()),
                ("name", p.name.clone()),
                ("created", time(&p.create_time)),
            ],
        )
    };
    match command {
        ProjectsCommand::List => {
            let list = client.list_projects().await?;
            out.list(&list, &["ID", "NAME", "CREATED"], |p| {
                vec![p.id.clone(), p.name.clone(), time(&p.create_time)]
            });
        }
        ProjectsCommand::Get { project } => show(&client.get_project(&project).await?),
        ProjectsCommand::Create { name } => show(&client.create_project(&name).await?),
    }
    Ok(())
}
