/**
 * What terraform deployed to the local AWS, read back from it: each function's configuration (environment,
 * handler, timeout) with the package it was given, the HTTP API's routes and throttling, and the stream mappings.
 * Local production serves exactly this, so a wrong variable or route fails locally as it would in AWS.
 */
import * as path from 'node:path';
import {
  ApiGatewayV2Client,
  GetApisCommand,
  GetIntegrationsCommand,
  GetRoutesCommand,
  GetStageCommand,
} from '@aws-sdk/client-apigatewayv2';
import { GetFunctionConfigurationCommand, LambdaClient, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { motoClientConfig } from './moto-server';

export interface DeployedFunction {
  readonly name: string;
  readonly handler: string;
  readonly runtime: string;
  readonly timeoutSeconds: number;
  readonly environment: Readonly<Record<string, string>>;
  /** The zip terraform uploaded (the synthesized stack's asset). */
  readonly zipFile: string;
}

export interface DeployedRoute {
  /** `ANY /ofrep/v1/evaluate/flags/{key}` */
  readonly routeKey: string;
  readonly functionName: string;
}

export interface DeployedApi {
  readonly id: string;
  readonly name: string;
  readonly routes: readonly DeployedRoute[];
  /** The `$default` stage's throttling. */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
}

export interface DeployedStreamMapping {
  readonly functionName: string;
  readonly streamArn: string;
  readonly batchSize: number;
}

export interface DeployedStack {
  readonly functions: readonly DeployedFunction[];
  readonly apis: readonly DeployedApi[];
  readonly streamMappings: readonly DeployedStreamMapping[];
}

type StackJson = { resource?: Record<string, Record<string, Record<string, unknown>>> };

/** `arn:...:function:name`, or an API Gateway invoke URI that wraps one, to the function name. */
export const functionNameOf = (arnOrUri: string): string => /:function:([^/:]+)/.exec(arnOrUri)?.[1] ?? arnOrUri;

export async function readDeployedStack(endpoint: string, region: string, stackDir: string, stack: StackJson): Promise<DeployedStack> {
  const config = motoClientConfig(endpoint, region);
  const lambda = new LambdaClient(config);
  const apigw = new ApiGatewayV2Client(config);
  try {
    const functions: DeployedFunction[] = [];
    for (const fn of Object.values(stack.resource?.aws_lambda_function ?? {})) {
      const name = String(fn.function_name);
      const deployed = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
      functions.push({
        name,
        handler: deployed.Handler ?? 'index.handler',
        runtime: deployed.Runtime ?? '',
        timeoutSeconds: deployed.Timeout ?? 3,
        environment: deployed.Environment?.Variables ?? {},
        zipFile: path.join(stackDir, String(fn.filename)),
      });
    }

    const apis: DeployedApi[] = [];
    for (const api of (await apigw.send(new GetApisCommand({}))).Items ?? []) {
      const integrations = new Map(
        ((await apigw.send(new GetIntegrationsCommand({ ApiId: api.ApiId }))).Items ?? []).map((i) => [
          i.IntegrationId,
          i.IntegrationUri ?? '',
        ]),
      );
      const routes = ((await apigw.send(new GetRoutesCommand({ ApiId: api.ApiId }))).Items ?? []).flatMap((route) => {
        const integration = integrations.get(route.Target?.replace(/^integrations\//, ''));
        return integration && route.RouteKey ? [{ routeKey: route.RouteKey, functionName: functionNameOf(integration) }] : [];
      });
      const settings = await apigw.send(new GetStageCommand({ ApiId: api.ApiId, StageName: '$default' })).then(
        (stage) => stage.DefaultRouteSettings,
        () => undefined,
      );
      const throttle =
        settings?.ThrottlingRateLimit !== undefined && settings.ThrottlingBurstLimit !== undefined
          ? { rateLimit: settings.ThrottlingRateLimit, burstLimit: settings.ThrottlingBurstLimit }
          : undefined;
      apis.push({ id: api.ApiId ?? '', name: api.Name ?? '', routes, throttle });
    }

    const mappings = (await lambda.send(new ListEventSourceMappingsCommand({}))).EventSourceMappings ?? [];
    const streamMappings = mappings
      .filter((m) => m.EventSourceArn?.includes(':kinesis:'))
      .map((m) => ({ functionName: functionNameOf(m.FunctionArn ?? ''), streamArn: m.EventSourceArn!, batchSize: m.BatchSize ?? 100 }));
    return { functions, apis, streamMappings };
  } finally {
    lambda.destroy();
    apigw.destroy();
  }
}
