import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiOperation,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ParseIdPipe } from '@app/http-edge';
import { IDEMPOTENCY_HEADER_DOC, IdempotencyKey, markReplay } from '../idempotency/idempotency';
import { presentOrder, presentOrderDetails, presentPayment } from './order.presenter';
import { CreateOrderDto, CreatePaymentDto, ListOrdersQueryDto, OrderPageView, OrderView, PaymentListView, PaymentView } from './orders.dto';
import { OrdersService } from './orders.service';
import { PaymentsService } from './payments.service';

@ApiTags('orders')
@ApiBearerAuth('apiKey')
@ApiNotFoundResponse({ description: "Unknown order, including another tenant's order" })
@Controller('v1/orders')
export class OrdersController {
  constructor(
    private readonly orders: OrdersService,
    private readonly payments: PaymentsService,
  ) {}

  @ApiOperation({ summary: 'Create an order' })
  @Post()
  @ApiHeader(IDEMPOTENCY_HEADER_DOC)
  @ApiCreatedResponse({ type: OrderView, description: 'The order with its items; totalCents is computed by the server' })
  @ApiBadRequestResponse({ description: 'Invalid body or unknown country' })
  @ApiConflictResponse({ description: 'Idempotency key reused with a different body' })
  async create(
    @Body() body: CreateOrderDto,
    @IdempotencyKey() idempotencyKey: string | null,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<OrderView> {
    return presentOrderDetails(markReplay(response, await this.orders.create(body, idempotencyKey)));
  }

  @ApiOperation({ summary: "List the tenant's orders, newest first" })
  @Get()
  @ApiOkResponse({ type: OrderPageView, description: 'Newest first, without items and payments' })
  async list(@Query() query: ListOrdersQueryDto): Promise<OrderPageView> {
    const page = await this.orders.list(query);
    return { data: page.data.map(presentOrder), nextCursor: page.nextCursor };
  }

  @ApiOperation({ summary: 'Get an order with its items and payments' })
  @Get(':id')
  @ApiOkResponse({ type: OrderView, description: 'The order with its items and payments' })
  async get(@Param('id', new ParseIdPipe()) id: number): Promise<OrderView> {
    return presentOrderDetails(await this.orders.get(id));
  }

  @ApiOperation({ summary: 'Cancel a pending order' })
  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOkResponse({ type: OrderView })
  @ApiConflictResponse({ description: 'The order is not pending' })
  async cancel(@Param('id', new ParseIdPipe()) id: number): Promise<OrderView> {
    return presentOrderDetails(await this.orders.cancel(id));
  }

  @ApiOperation({ summary: 'Capture a payment on an order' })
  @Post(':id/payments')
  @ApiHeader(IDEMPOTENCY_HEADER_DOC)
  @ApiCreatedResponse({ type: PaymentView })
  @ApiConflictResponse({ description: 'Order cancelled or already paid, amount above what is owed, or idempotency key reused' })
  async pay(
    @Param('id', new ParseIdPipe()) id: number,
    @Body() body: CreatePaymentDto,
    @IdempotencyKey() idempotencyKey: string | null,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<PaymentView> {
    return presentPayment(markReplay(response, await this.payments.capture(id, body, idempotencyKey)));
  }

  @ApiOperation({ summary: "List an order's payments" })
  @Get(':id/payments')
  @ApiOkResponse({ type: PaymentListView })
  async listPayments(@Param('id', new ParseIdPipe()) id: number): Promise<PaymentListView> {
    return { data: (await this.payments.list(id)).map(presentPayment) };
  }
}
