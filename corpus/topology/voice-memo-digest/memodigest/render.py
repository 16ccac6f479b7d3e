"""Markdown output for a digested meeting."""
from datetime import date

HEADER = "# {title}\n\n_Digest generated on {today}._\n\n"


def _title(stem: str) -> str:
    words = stem.replace("_", " ").replace("-", " ").split()
    return " ".join(w.capitalize() for w in words) or "Meeting"


def render_markdown(stem: str, actions: list[str]) -> str:
    out = [HEADER.format(title=_title(stem), today=date.today().isoformat())]
    if not actions:
        out.append("No action items were found.\n")
        return "".join(out)
    out.append("## Action items\n\n")
    for item in actions:
        owner, sep, task = item.partition(":")
        if sep and len(owner.split()) <= 3:
            out.append(f"- [ ] **{owner.strip()}**: {task.strip()}\n")
        else:
            out.append(f"- [ ] {item}\n")
    return "".join(out)
