/**
 * What the Alerts Management API (Microsoft.AlertsManagement/alerts, api-version 2019-03-01) answers,
 * only the fields used: the list page (`AlertsList`), each alert's essentials, and ARM's error body.
 */
import { z } from 'zod';

export const ALERTS_API_VERSION = '2019-03-01';

export const AlertEssentials = z.object({
  severity: z.string(),
  monitorCondition: z.string(),
  alertState: z.string(),
  targetResource: z.string().optional(),
  startDateTime: z.string().optional(),
  alertRule: z.string().optional(),
});

export const AlertItem = z.object({
  id: z.string().optional(),
  name: z.string(),
  properties: z.object({ essentials: AlertEssentials }),
});

export const AlertsList = z.object({
  value: z.array(AlertItem),
  nextLink: z.string().optional(),
});
export type AlertsList = z.infer<typeof AlertsList>;

/** ARM's error envelope (common-types ErrorResponse). */
export const ArmError = z.object({ error: z.object({ code: z.string().optional(), message: z.string().optional() }) });
