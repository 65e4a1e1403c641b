// The two multi-selects of the topic form, as Ampersand's dashboard has them: the event
// types this topic receives, and the destinations its notifications go to. Checkbox groups:
// every choice visible, one Tab stop per box, read out with its group's name.
import type { Destination, EventType } from "../../api/types";
import { EVENT_TYPES } from "../../lib/eventTypes";

export interface TopicRouting {
  eventTypes: EventType[];
  destinationIds: string[];
}

interface Props {
  value: TopicRouting;
  onChange: (next: TopicRouting) => void;
  destinations: Destination[];
}

const toggled = <T,>(list: T[], item: T, on: boolean): T[] =>
  on ? (list.includes(item) ? list : [...list, item]) : list.filter((x) => x !== item);

export function TopicRoutingFields({ value, onChange, destinations }: Props) {
  return (
    <div className="topic-routing">
      <fieldset className="check-group">
        <legend>
          Event types <span className="muted">({value.eventTypes.length} selected)</span>
        </legend>
        <div className="check-grid">
          {EVENT_TYPES.map((t) => (
            <label key={t} className="check">
              <input
                type="checkbox"
                checked={value.eventTypes.includes(t)}
                onChange={(e) =>
                  onChange({ ...value, eventTypes: toggled(value.eventTypes, t, e.target.checked) })
                }
              />
              <code>{t}</code>
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset className="check-group">
        <legend>
          Destinations <span className="muted">({value.destinationIds.length} selected)</span>
        </legend>
        {destinations.length === 0 ? (
          <p className="muted">No destinations yet: create one on the Destinations page.</p>
        ) : (
          <div className="check-grid">
            {destinations.map((d) => (
              <label key={d.id} className="check">
                <input
                  type="checkbox"
                  checked={value.destinationIds.includes(d.id)}
                  onChange={(e) =>
                    onChange({
                      ...value,
                      destinationIds: toggled(value.destinationIds, d.id, e.target.checked),
                    })
                  }
                />
                <span className="truncate" title={d.name}>
                  {d.name}
                </span>
                <span className="muted">{d.type}</span>
              </label>
            ))}
          </div>
        )}
      </fieldset>
    </div>
  );
}
